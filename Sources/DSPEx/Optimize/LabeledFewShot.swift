/// Gives every predictor `k` labeled training examples as demos — DSPy's `LabeledFewShot`.
///
/// ```swift
/// let optimized = try await LabeledFewShot(k: 16).compile(program, trainset: trainset)
/// ```
public struct LabeledFewShot: Optimizer {
    /// Demos per predictor.
    public var k: Int
    /// Whether to pick them at random (seeded) rather than take the first `k`.
    public var sample: Bool
    /// The seed for the random pick.
    public var seed: UInt64

    /// Creates the optimizer; DSPy's defaults are `k = 16` and a random sample.
    public init(k: Int = 16, sample: Bool = true, seed: UInt64 = 0) {
        self.k = k
        self.sample = sample
        self.seed = seed
    }

    public func compile(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        var states: [String: PredictorState] = [:]
        var generator = SeededGenerator(seed: seed)
        let chosen = sample ? generator.sample(trainset, count: k) : Array(trainset.prefix(k))
        for predictor in program.namedPredictors {
            var state = predictor.state
            let inputs = state.signature.inputNames
            state.demos = chosen.map { example in
                Example(example.values, inputKeys: inputs.filter { example.values[$0] != nil })
            }
            states[predictor.name] = state
        }
        return try program.withPredictorStates(states)
    }
}
