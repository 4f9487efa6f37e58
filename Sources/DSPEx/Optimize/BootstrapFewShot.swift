import OrderedCollections

/// Collects demos from the program's own successful runs — DSPy's `BootstrapFewShot`.
///
/// A teacher (the program with up to `maxLabeledDemos` labeled demos) runs the training examples — in
/// parallel on the engine, where DSPy runs them one by one — with every predictor call traced. When the
/// metric accepts an example, each traced call becomes a demo (`augmented: true`) of its predictor. The
/// student then gets up to `maxBootstrappedDemos` bootstrapped demos plus labeled demos from the examples
/// that were not bootstrapped, up to `maxLabeledDemos` in all. Later rounds retry the remaining examples
/// with fresh samples (a new rollout id and temperature 1.0).
///
/// ```swift
/// let optimized = try await BootstrapFewShot(metric: .exactMatch()).compile(program, trainset: trainset)
/// ```
public struct BootstrapFewShot: Optimizer {
    /// Scores the teacher's predictions.
    public var metric: Metric
    /// A prediction is accepted when its score reaches this; `nil` accepts any score above 0.
    public var metricThreshold: Double?
    /// The most bootstrapped demos per predictor.
    public var maxBootstrappedDemos: Int
    /// The most demos per predictor in all.
    public var maxLabeledDemos: Int
    /// Passes over the training set.
    public var maxRounds: Int
    /// The teacher's examples run at once per stage.
    public var concurrency: Int
    /// The seed for picking labeled demos.
    public var seed: UInt64

    /// Creates the optimizer with DSPy's defaults.
    public init(
        metric: Metric, metricThreshold: Double? = nil, maxBootstrappedDemos: Int = 4, maxLabeledDemos: Int = 16,
        maxRounds: Int = 1, concurrency: Int = 16, seed: UInt64 = 0
    ) {
        self.metric = metric
        self.metricThreshold = metricThreshold
        self.maxBootstrappedDemos = maxBootstrappedDemos
        self.maxLabeledDemos = maxLabeledDemos
        self.maxRounds = maxRounds
        self.concurrency = concurrency
        self.seed = seed
    }

    public func compile(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        try await context.recording {
            try await optimize(program, trainset: trainset, valset: valset, context: context)
        }
    }

    private func optimize(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        let teacher =
            maxLabeledDemos > 0
            ? try await LabeledFewShot(k: maxLabeledDemos, seed: seed).compile(program, trainset: trainset) : program
        let step = JournaledStep(context: context, metric: metric, concurrency: concurrency)
        var bootstrapped: [String: [Example]] = [:]
        var accepted = Set<String>()
        let threshold = metricThreshold
        let accepts: @Sendable (StepResult) -> Bool = { result in
            result.error == nil && (threshold.map { result.score >= $0 } ?? (result.score > 0))
        }
        for round in 0..<max(1, maxRounds) where accepted.count < maxBootstrappedDemos {
            let remaining = trainset.filter { !accepted.contains($0.id) }
            // The teacher's outcome on an example does not depend on the order examples are tried in, so
            // candidates bootstrapping over different shuffles share one journal step per teacher and round.
            let results = try await step.run(
                teacher, on: remaining, step: "bootstrap/\(teacher.stateHash)/round-\(round)", traces: true,
                rolloutID: round == 0 ? nil : round, excludeOwnDemos: true,
                stopAfter: .init(count: maxBootstrappedDemos - accepted.count, accepts: accepts))
            for result in results where accepts(result) && accepted.count < maxBootstrappedDemos {
                accepted.insert(result.exampleID)
                for call in result.trace {
                    var values = call.inputs
                    for (key, value) in call.outputs { values[key] = value }
                    values["augmented"] = true
                    bootstrapped[call.predictor, default: []].append(
                        Example(values, inputKeys: Array(call.inputs.keys), id: result.exampleID))
                }
            }
        }
        var generator = SeededGenerator(seed: seed)
        let raw = trainset.filter { !accepted.contains($0.id) }
        var states: [String: PredictorState] = [:]
        for predictor in program.namedPredictors {
            var state = predictor.state
            let augmented = Array(bootstrapped[predictor.name, default: []].prefix(maxBootstrappedDemos))
            let inputs = state.signature.inputNames
            let labeled = generator.sample(raw, count: max(0, maxLabeledDemos - augmented.count)).map { example in
                Example(example.values, inputKeys: inputs.filter { example.values[$0] != nil })
            }
            state.demos = augmented + labeled
            states[predictor.name] = state
        }
        return try program.withPredictorStates(states)
    }
}
