import OrderedCollections

/// A ``ChainOfThought`` sampled `M` times, then a ``MultiChainComparison`` over the attempts: the self-contained
/// module a `multi_chain_comparison` pipeline stage runs, what DSPy users write as a module holding
/// `self.attempt = dspy.ChainOfThought(signature)` and `self.compare = dspy.MultiChainComparison(signature, M)`.
///
/// Each attempt runs under its own rollout id, as ``BestOfN``'s do (from the current one, 0 when none is set), so
/// the cache does not answer it and a predictor without a temperature samples at 1.0. The attempts run at once;
/// their predictor calls join the surrounding trace in attempt order, then the comparison's. The prediction holds
/// `rationale` and the signature's outputs, and its usage covers every call.
///
/// Its predictors are ``attempt``'s and ``compare``'s, both tuned by optimizers: named `attempt.predict` and
/// `compare.predict`, and `<stage>.attempt.predict` and `<stage>.compare.predict` in a pipeline.
///
/// ```swift
/// let solve = try SampledMultiChainComparison(try Signature("question -> answer: int"), M: 3, lm: lm)
/// let prediction = try await solve(["question": "What is 519 + 29?"])
/// prediction["rationale"]   // the comparison's corrected reasoning
/// ```
public struct SampledMultiChainComparison: Module {
    /// The attempts' module, run `M` times.
    public var attempt: ChainOfThought<DynamicSignature>
    /// The comparison of the attempts.
    public var compare: MultiChainComparison

    /// How many attempts each call samples and compares.
    public var M: Int { compare.M }

    /// Creates the module.
    ///
    /// - Parameters:
    ///   - signature: The task; it needs at least one output.
    ///   - M: How many attempts are sampled and compared.
    ///   - temperature: The comparison's temperature (DSPy's default 0.7); the attempts keep `options`.
    ///   - lm: The language model; `nil` uses the one set with ``withLM(_:adapter:_:)``.
    ///   - adapter: The adapter; `nil` uses the task's default or ``ChatAdapter``.
    ///   - options: The options of every call (the comparison's temperature excepted).
    ///   - demos: The attempts' demos (inputs, `reasoning` and outputs).
    /// - Throws: ``SignatureError`` when the signature has no output.
    public init(
        _ signature: Signature, M: Int = 3, temperature: Double = 0.7, lm: (any LanguageModel)? = nil,
        adapter: (any Adapter)? = nil, options: LMOptions = LMOptions(), demos: [Example] = []
    ) throws(SignatureError) {
        var attempt = ChainOfThought<DynamicSignature>(
            signature, lm: lm, adapter: adapter, options: options, demos: demos)
        attempt.predict.name = "attempt.predict"
        var compare = try MultiChainComparison(
            signature, M: M, temperature: temperature, lm: lm, adapter: adapter, options: options)
        compare.predict.name = "compare.predict"
        self.attempt = attempt
        self.compare = compare
    }

    /// Samples `M` attempts, then compares them.
    ///
    /// - Throws: The first error of an attempt (in attempt order) or of the comparison.
    public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        let start = LMContext.rolloutID ?? 0
        let attempt = self.attempt
        let results = try await withThrowingTaskGroup(of: (Int, Prediction, [TraceEntry]).self) { group in
            for index in 0..<max(0, M) {
                group.addTask {
                    let (prediction, trace) = try await withTrace {
                        try await LMContext.$rolloutID.withValue(start + index) { try await attempt.forward(inputs) }
                    }
                    return (index, prediction, trace)
                }
            }
            var results: [(Int, Prediction, [TraceEntry])] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        var usage = Usage()
        for (_, prediction, trace) in results {
            for entry in trace { Trace.current?.record(entry) }
            usage = usage + prediction.usage
        }
        var prediction = try await compare.forward(completions: results.map(\.1), inputs: inputs)
        prediction.usage = usage + prediction.usage
        return prediction
    }

    public var namedPredictors: [NamedPredictor] { attempt.namedPredictors + compare.namedPredictors }

    public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
        if name == attempt.predict.name {
            try attempt.setPredictorState(state, named: name)
        } else {
            try compare.setPredictorState(state, named: name)
        }
    }
}
