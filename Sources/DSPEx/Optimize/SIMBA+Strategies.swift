import OrderedCollections

extension SIMBA {
    /// How a new candidate is built from a bucket: DSPy's `append_a_demo` and `append_a_rule`.
    enum Strategy: Sendable {
        case appendADemo
        case appendARule

        /// DSPy's function name.
        var name: String {
            switch self {
            case .appendADemo: "append_a_demo"
            case .appendARule: "append_a_rule"
            }
        }
    }

    /// A strategy that failed (DSPy catches the exception and skips the bucket).
    struct StrategyFailure: Error {
        var message: String
    }

    /// The step's 10th and 90th percentile scores, over every sampled run.
    struct Bounds {
        var percentile10: Double
        var percentile90: Double
    }

    /// Drops demos from every predictor as DSPy does before a strategy: a Poisson-distributed count with mean
    /// (the most demos a predictor holds) / `maxDemos` (3 when `maxDemos` is 0), at least one once a predictor
    /// holds `maxDemos`, at most all; the same positions, drawn with replacement, from each predictor.
    ///
    /// - Returns: The number of positions drawn.
    func dropDemos(
        from states: inout [String: PredictorState], random: inout SeededGenerator, poisson: inout SeededGenerator
    ) -> Int {
        let held = states.values.map(\.demos.count).max() ?? 0
        let limit = maxDemos > 0 ? maxDemos : 3
        let drawn = max(Self.poisson(Double(held) / Double(limit), using: &poisson), held >= limit ? 1 : 0)
        let count = min(drawn, held)
        var positions = Set<Int>()
        for _ in 0..<count { positions.insert(random.next(below: held)) }
        guard !positions.isEmpty else { return count }
        for (name, state) in states {
            var kept = state
            kept.demos = state.demos.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
            states[name] = kept
        }
        return count
    }

    /// `program` changed by `strategy` from `bucket`; unchanged when the strategy skips the bucket (DSPy keeps such
    /// a candidate too).
    ///
    /// - Throws: ``StrategyFailure`` when the strategy fails; `CancellationError` or an LM error that stops the run.
    func apply(
        _ strategy: Strategy, bucket: Bucket, to program: Graph, bounds: Bounds, promptModel: any LanguageModel,
        key: String, context: OptimizationContext
    ) async throws -> Graph {
        switch strategy {
        case .appendADemo:
            return try appendADemo(bucket, to: program, bounds: bounds)
        case .appendARule:
            return try await appendARule(
                bucket, to: program, bounds: bounds, promptModel: promptModel, key: key, context: context)
        }
    }

    /// DSPy's `append_a_demo`: unless the best run scores at or below the 10th percentile, each predictor call of
    /// the best run becomes a demo (`augmented: true`, inputs longer than `demoInputFieldMaxlen` truncated)
    /// appended to its predictor — the last call's, when a predictor was called more than once.
    func appendADemo(_ bucket: Bucket, to program: Graph, bounds: Bounds) throws -> Graph {
        let good = bucket.best
        guard good.score > bounds.percentile10 else { return program }
        var states = program.namedPredictors.reduce(into: [String: PredictorState]()) { $0[$1.name] = $1.state }
        var demos = OrderedDictionary<String, Example>()
        for call in good.result.trace where states[call.predictor] != nil {
            var values: OrderedDictionary<String, Value> = ["augmented": true]
            var inputs = OrderedDictionary<String, Value>()
            for (key, value) in call.inputs { inputs[key] = truncated(value) }
            for (key, value) in Array(inputs.elements) + Array(call.outputs.elements) {
                // Python's `Example(augmented=True, **inputs, **outputs)` refuses a key given twice.
                guard values.updateValue(value, forKey: key) == nil else {
                    throw StrategyFailure(message: "the demo of '\(call.predictor)' repeats the key '\(key)'")
                }
            }
            demos[call.predictor] = Example(values, inputKeys: Array(inputs.keys), id: good.example.id)
        }
        for (name, demo) in demos { states[name]?.demos.append(demo) }
        return try program.withPredictorStates(states)
    }

    /// An input value as a demo keeps it: Python's `str(value)` cut to `demoInputFieldMaxlen` characters with
    /// DSPy's marker when longer, else unchanged.
    func truncated(_ value: Value) -> Value {
        guard demoInputFieldMaxlen > 0 else { return value }
        let text = value.stringValue ?? value.pythonRepr
        guard text.unicodeScalars.count > demoInputFieldMaxlen else { return value }
        let kept = String(String.UnicodeScalarView(text.unicodeScalars.prefix(demoInputFieldMaxlen)))
        return .string(kept + "\n\t\t... <TRUNCATED FOR BREVITY>")
    }

    /// DSPy's `append_a_rule`: unless the best run scores at or below the 10th percentile or the worst at or
    /// above the 90th, the prompt model compares the two (``offerFeedback``) and each predictor it advises gets
    /// the advice appended to its instructions after a blank line. The call is memoized under `key`, its failure
    /// too.
    func appendARule(
        _ bucket: Bucket, to program: Graph, bounds: Bounds, promptModel: any LanguageModel, key: String,
        context: OptimizationContext
    ) async throws -> Graph {
        guard bucket.best.score > bounds.percentile10, bucket.worst.score < bounds.percentile90 else { return program }
        let inputs = try ruleInputs(bucket, program: program, bounds: bounds)
        let reply = try await context.journal.memo(key) {
            do {
                let predict = Predict(Self.offerFeedback, lm: promptModel)
                let (prediction, _) = try await withTrace {
                    try await LMContext.$rolloutID.withValue(nil) {
                        try await LMContext.$hints.withValue(nil) { try await predict.forward(inputs) }
                    }
                }
                return [
                    "discussion": prediction["discussion"] ?? "",
                    "module_advice": prediction["module_advice"] ?? .object([:]),
                ]
            } catch let error as LMError where error.stopsRun {
                throw error
            } catch {
                if Task.isCancelled || error is CancellationError { throw error }
                return ["error": .string(String(describing: error))]
            }
        }
        if let failure = reply["error"]?.stringValue { throw StrategyFailure(message: failure) }
        let advice = reply["module_advice"]?.objectValue ?? [:]
        var states: [String: PredictorState] = [:]
        for predictor in program.namedPredictors {
            guard let text = advice[predictor.name] else { continue }
            var state = predictor.state
            let instructions = state.signature.instructions + "\n\n" + (text.stringValue ?? text.plainText)
            state.signature = state.signature.with(instructions: instructions)
            states[predictor.name] = state
        }
        return try program.withPredictorStates(states)
    }
}
