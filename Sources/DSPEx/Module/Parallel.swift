import OrderedCollections

/// DSPy's `dspy.Parallel`: runs (module, inputs) pairs at once, at most `numThreads` at a time, and returns their
/// predictions in the pairs' order — `nil` for a pair that failed.
///
/// As in DSPy 3.4.1 (`dspy/predict/parallel.py` and its `ParallelExecutor`): defaults are DSPy's settings
/// (`num_threads` 8, `max_errors` 10); when the failures reach `maxErrors` the pairs still running are cancelled and
/// the call throws. ``run(_:)`` also returns the failures, as `return_failed_examples=True` does. DSPEx runs the
/// pairs as tasks, not threads; `numThreads` is how many run at once.
///
/// ```swift
/// let qa = try Predict("question -> answer")
/// let answers = try await Parallel(numThreads: 16)([(qa, ["question": "2 + 2?"]), (qa, ["question": "3 + 3?"])])
/// ```
public struct Parallel: Sendable {
    /// One pair's failure.
    public struct Failure: Sendable {
        /// The pair's position.
        public var index: Int
        /// What it threw.
        public var error: any Error
    }

    /// The predictions in order (`nil` where the pair failed) and the failures.
    public struct Outcome: Sendable {
        /// One per pair.
        public var results: [Prediction?]
        /// The pairs that failed, in the order they failed.
        public var failures: [Failure]
    }

    /// How many pairs run at once.
    public var numThreads: Int
    /// How many failures cancel the rest.
    public var maxErrors: Int

    /// Creates a runner with DSPy's defaults.
    public init(numThreads: Int = 8, maxErrors: Int = 10) {
        self.numThreads = numThreads
        self.maxErrors = maxErrors
    }

    /// The predictions of the pairs in order, `nil` for those that failed.
    ///
    /// - Throws: ``ModuleError`` with ``ModuleError/Code/tooManyErrors`` once `maxErrors` pairs have failed.
    public func callAsFunction(
        _ pairs: [(module: any Module, inputs: OrderedDictionary<String, Value>)]
    ) async throws -> [Prediction?] {
        try await run(pairs).results
    }

    /// The predictions and the failures (DSPy's `return_failed_examples=True`).
    ///
    /// - Throws: ``ModuleError`` with ``ModuleError/Code/tooManyErrors`` once `maxErrors` pairs have failed.
    public func run(
        _ pairs: [(module: any Module, inputs: OrderedDictionary<String, Value>)]
    ) async throws -> Outcome {
        var outcome = Outcome(results: Array(repeating: nil, count: pairs.count), failures: [])
        try await withThrowingTaskGroup(of: (Int, Result<Prediction, any Error>).self) { group in
            var next = 0
            func submit() {
                guard next < pairs.count else { return }
                let (index, pair) = (next, pairs[next])
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await pair.module.forward(pair.inputs)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            for _ in 0..<max(1, numThreads) { submit() }
            while let (index, result) = try await group.next() {
                switch result {
                case .success(let prediction):
                    outcome.results[index] = prediction
                case .failure(let error):
                    outcome.failures.append(Failure(index: index, error: error))
                    if outcome.failures.count >= maxErrors {
                        group.cancelAll()
                        throw ModuleError(
                            code: .tooManyErrors,
                            message:
                                "\(outcome.failures.count) of \(pairs.count) pairs failed (max_errors \(maxErrors)); "
                                + "the rest were cancelled. The last error: \(error)")
                    }
                }
                submit()
            }
        }
        return outcome
    }
}
