/// Runs a program over a list of examples as one step of a compile run, through the ``CompileJournal``:
/// examples already recorded in the step are read back, the others run on the engine (in parallel) and each is
/// recorded as it finishes.
///
/// With `stopAfter`, the step stops admitting examples once that many accepted results form a contiguous prefix
/// of the list, so what is accepted does not depend on timing: the first N accepted examples in list order.
/// Examples already in flight then finish and are recorded too (a resumed run reuses them).
struct JournaledStep {
    /// When to stop early: after `count` results that `accepts` takes.
    struct Stop {
        var count: Int
        var accepts: @Sendable (StepResult) -> Bool
    }

    let context: OptimizationContext
    let metric: Metric
    /// Examples run at once per stage, at most.
    let concurrency: Int

    /// The results in list order: all of them, or the prefix up to the `stopAfter.count`-th accepted one.
    ///
    /// - Parameters:
    ///   - graph: The program.
    ///   - examples: The examples, in the order that decides early stopping.
    ///   - step: The step's key in the journal; results recorded under it are reused.
    ///   - traces: Keep each example's predictor calls (for demos).
    ///   - rolloutID: A rollout id for fresh samples (bootstrap rounds after the first).
    ///   - excludeOwnDemos: Leave out demos equal to the example being run (a teacher with labeled demos).
    ///   - stopAfter: Stop once enough accepted results are in.
    /// - Throws: `CancellationError` when the task is cancelled (what finished is recorded), or a store error.
    func run(
        _ graph: Graph, on examples: [Example], step: String, traces: Bool = false, rolloutID: Int? = nil,
        excludeOwnDemos: Bool = false, stopAfter: Stop? = nil
    ) async throws -> [StepResult] {
        let journal = context.journal
        let stored = try await journal.results(step: step)
        var resolved: [StepResult?] = examples.enumerated().map { position, example in
            stored[example.id].map { result in
                var copy = result
                copy.index = position
                return copy
            }
        }
        context.countResults(new: 0, replayed: resolved.count { $0 != nil })
        var cursor = 0
        var accepted = 0
        var stopped = false
        func advance() {
            while !stopped, cursor < resolved.count, let result = resolved[cursor] {
                cursor += 1
                if let stopAfter, stopAfter.accepts(result) {
                    accepted += 1
                    if accepted >= stopAfter.count { stopped = true }
                }
            }
        }
        advance()
        if stopped || cursor == resolved.count { return resolved.prefix(cursor).compactMap { $0 } }

        var positions: [String: [Int]] = [:]
        var pending: [Example] = []
        for (position, example) in examples.enumerated() where resolved[position] == nil {
            if positions[example.id] == nil { pending.append(example) }
            positions[example.id, default: []].append(position)
        }
        let stages = graph.stages.map { stage -> Stage in
            var copy = stage
            copy.concurrency = max(1, min(stage.concurrency, concurrency))
            return copy
        }
        let scheduler = Scheduler(
            graph: try Graph(stages: stages, outputs: graph.outputs),
            configuration: .init(ordered: stopAfter != nil, captureTraces: traces))
        let intake = IntakeValve()
        let stream = SkippingExamples(base: ExampleList(pending), skip: [], intake: intake)
        let metric = self.metric
        var summary = RunSummary()
        try await LMContext.$excludesMatchingDemos.withValue(excludeOwnDemos) {
            try await LMContext.$rolloutID.withValue(rolloutID) {
                summary = try await scheduler.run(stream) { result in
                    // A call cut short by cancellation is not a finished example (nor is one that met a run-stopping
                    // error: the scheduler does not deliver those).
                    if result.error != nil, Task.isCancelled { return }
                    var score = 0.0
                    var failure = result.error?.description
                    if failure == nil {
                        do {
                            score = try await metric.score(result.example, Prediction(result.outputs))
                        } catch let error as LMError where error.stopsRun {
                            throw error  // an LM judge's spent budget or refused key: the step cannot finish
                        } catch {
                            failure = "metric \(metric.name): \(error)"
                        }
                    }
                    let calls = traces ? result.trace.map { StepResult.Call($0) } : []
                    let outcome = StepResult(
                        exampleID: result.example.id, index: positions[result.example.id]?.first ?? result.index,
                        outputs: result.outputs, score: score, error: failure, trace: calls, usage: result.usage)
                    try await journal.record(outcome, step: step)
                    context.countResults(new: 1, replayed: 0)
                    for position in positions[result.example.id] ?? [] {
                        var copy = outcome
                        copy.index = position
                        resolved[position] = copy
                    }
                    advance()
                    if stopped { intake.close() }
                }
            }
        }
        try Task.checkCancellation()
        // A spent budget, a refused key or an unknown model: the step cannot finish; the run stops resumably.
        if let stop = summary.stopError { throw stop }
        guard stopped || cursor == resolved.count else {
            throw OptimizeError(
                code: .incompleteStep,
                message: "step '\(step)' finished \(cursor) of \(examples.count) examples in order; the rest did not "
                    + "complete (a spent budget?)")
        }
        // Every position before the cursor is resolved: advance() stops at the first gap.
        return resolved.prefix(cursor).compactMap { $0 }
    }
}

extension StepResult.Call {
    /// The journal's form of a traced predictor call.
    init(_ entry: TraceEntry) {
        self.init(predictor: entry.predictor, inputs: entry.inputs, outputs: entry.outputs)
    }
}

extension JournaledStep {
    /// The program's mean score on `examples`, every example recorded under the program's state hash (so the same
    /// program is never run twice on the same example within a run).
    func meanScore(of graph: Graph, on examples: [Example]) async throws -> Double {
        guard !examples.isEmpty else { return 0 }
        let results = try await run(graph, on: examples, step: "eval/\(graph.stateHash)")
        return results.reduce(0) { $0 + $1.score } / Double(examples.count)
    }
}
