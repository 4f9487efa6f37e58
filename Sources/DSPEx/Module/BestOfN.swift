import OrderedCollections

/// DSPy's `BestOfN`: runs a module up to `n` times, each attempt under its own rollout id at temperature 1.0 (so
/// the cache does not answer it and the model samples, whatever temperature the run's model settings give — DSPy's
/// `lm.copy(rollout_id=..., temperature=1.0)`), and returns the first prediction whose reward reaches `threshold`,
/// else the one with the highest reward.
///
/// As in DSPy 3.4.1 (`dspy/predict/best_of_n.py`): rollout ids start at the current one (0 when none is set), an
/// attempt that throws is skipped while failures are within `failCount` (default `n`), and only the chosen
/// attempt's predictor calls join the surrounding trace. What DSPy does not report: the returned prediction's
/// usage covers every attempt that returned (all were paid for; failed ones are in the ``UsageScope``).
///
/// ```swift
/// let oneWord = BestOfN(try ChainOfThought("question -> answer"), n: 3, threshold: 1.0) { _, prediction in
///     (prediction["answer"]?.plainText.split(separator: " ").count == 1) ? 1 : 0
/// }
/// let prediction = try await oneWord(["question": "What is the capital of Belgium?"])
/// ```
public struct BestOfN: Module {
    /// Scores an attempt from the module's inputs and its prediction.
    public typealias Reward = @Sendable (OrderedDictionary<String, Value>, Prediction) async throws -> Double

    /// The module run on each attempt.
    public var module: any Module
    /// The most attempts.
    public var n: Int
    /// The reward of an attempt.
    public var reward: Reward
    /// The reward that ends the attempts at once.
    public var threshold: Double
    /// How many failed attempts are tolerated (DSPy's `fail_count`; `nil` is `n`).
    public var failCount: Int?

    /// Creates the module with DSPy's parameters (`N`, `reward_fn`, `threshold`, `fail_count`).
    public init(
        _ module: any Module, n: Int, threshold: Double, failCount: Int? = nil, reward: @escaping Reward
    ) {
        self.module = module
        self.n = n
        self.reward = reward
        self.threshold = threshold
        self.failCount = failCount
    }

    public var namedPredictors: [NamedPredictor] { module.namedPredictors }

    public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
        try module.setPredictorState(state, named: name)
    }

    public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        let start = LMContext.rolloutID ?? 0
        var best: (prediction: Prediction, trace: [TraceEntry], reward: Double)?
        var failuresAllowed = failCount ?? n
        var usage = Usage()
        var lastError: (any Error)?
        for index in 0..<max(0, n) {
            do {
                let ((prediction, score), trace) = try await withTrace {
                    try await LMContext.$samplingTemperature.withValue(1.0) {
                        try await LMContext.$rolloutID.withValue(start + index) {
                            let prediction = try await module.forward(inputs)
                            return (prediction, try await reward(inputs, prediction))
                        }
                    }
                }
                usage = usage + prediction.usage
                if score > (best?.reward ?? -.infinity) { best = (prediction, trace, score) }
                if score >= threshold { break }
            } catch {
                // DSPy's rule, kept: the attempt at index i fails the module when i exceeds the failures left.
                if index > failuresAllowed { throw error }
                failuresAllowed -= 1
                lastError = error
            }
        }
        guard var chosen = best?.prediction else {
            throw ModuleError(
                code: .allAttemptsFailed,
                message: "all \(n) attempts failed" + (lastError.map { "; the last: \($0)" } ?? ""))
        }
        for entry in best?.trace ?? [] { Trace.current?.record(entry) }
        chosen.usage = usage
        return chosen
    }
}
