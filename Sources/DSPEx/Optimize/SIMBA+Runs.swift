import OrderedCollections

extension SIMBA {
    /// One run of a program on one example, as DSPy's `wrap_program` returns it: the example, the outputs, the
    /// predictor calls and the score.
    struct Trajectory: Sendable {
        var example: Example
        var result: StepResult

        var score: Double { result.score }
    }

    /// A program run on some examples as one journal step.
    struct Batch: Sendable {
        var graph: Graph
        var examples: [Example]
        var step: String
        var rolloutID: Int?
        var traces: Bool
    }

    /// The rollout id of the `index`th sampling setting: DSPy's `start + index` from the current rollout id (0
    /// when none is set), shifted by the seed so that another seed asks for fresh samples.
    func rolloutID(_ index: Int) -> Int {
        (LMContext.rolloutID ?? 0) + Int(truncatingIfNeeded: seed % 1_000_000) * 10_000 + index
    }

    /// Runs each example once under each sampling setting, with the program `picks[setting][example]` of the
    /// pool, traced; the runs by setting, then by example.
    ///
    /// Runs of one program under one setting form one journal step, keyed by the step number, the rollout id and
    /// the program's state hash.
    func sample(
        _ batch: [Example], picks: [[Int]], pool: Pool, step: Int, context: OptimizationContext
    ) async throws -> [[Trajectory]] {
        var batches: [Batch] = []
        var places: [[(batch: Int, position: Int)]] = []
        for (setting, programs) in picks.enumerated() {
            let rollout = rolloutID(setting)
            var byHash: [String: Int] = [:]
            var row: [(batch: Int, position: Int)] = []
            for (example, program) in zip(batch, programs) {
                let hash = pool.hashes[program]
                let index =
                    byHash[hash]
                    ?? {
                        batches.append(
                            Batch(
                                graph: pool.programs[program], examples: [],
                                step: "simba/step-\(step)/sample/rollout-\(rollout)/\(hash)", rolloutID: rollout,
                                traces: true))
                        byHash[hash] = batches.count - 1
                        return batches.count - 1
                    }()
                row.append((index, batches[index].examples.count))
                batches[index].examples.append(example)
            }
            places.append(row)
        }
        let results = try await run(batches, context: context)
        return try places.map { row in
            try zip(batch, row).map { example, place in
                Trajectory(example: example, result: try Self.result(results, place.batch, place.position))
            }
        }
    }

    /// Each program's scores on `examples` (DSPy's candidate and final evaluations, which run without sampling
    /// settings), under the journal step `eval/<state hash>` that ``JournaledStep/meanScore(of:on:)`` uses too:
    /// a program is never run twice on the same example within a run.
    func evaluate(_ programs: [Graph], on examples: [Example], context: OptimizationContext) async throws
        -> [[Double]]
    {
        var batches: [Batch] = []
        var byHash: [String: Int] = [:]
        let indices = programs.map { program -> Int in
            let hash = program.stateHash
            if let index = byHash[hash] { return index }
            batches.append(
                Batch(graph: program, examples: examples, step: "eval/\(hash)", rolloutID: nil, traces: false))
            byHash[hash] = batches.count - 1
            return batches.count - 1
        }
        let results = try await run(batches, context: context)
        return try indices.map { index in
            try examples.indices.map { try Self.result(results, index, $0).score }
        }
    }

    /// Runs the batches, at most `concurrency` examples at once in all, and returns each batch's results in
    /// example order.
    func run(_ batches: [Batch], context: OptimizationContext) async throws -> [[StepResult]] {
        guard !batches.isEmpty else { return [] }
        let width = max(1, min(concurrency, batches.count))
        let step = JournaledStep(context: context, metric: metric, concurrency: max(1, concurrency / width))
        return try await withThrowingTaskGroup(of: (Int, [StepResult]).self) { group in
            var results = [[StepResult]](repeating: [], count: batches.count)
            var next = 0
            var running = 0
            while next < batches.count || running > 0 {
                while next < batches.count, running < width {
                    let index = next
                    let batch = batches[index]
                    group.addTask {
                        // DSPy samples with `lm.copy(rollout_id=..., temperature=1.0)`, whatever the model's own.
                        let results = try await LMContext.$samplingTemperature.withValue(
                            batch.rolloutID == nil ? nil : 1.0
                        ) {
                            try await step.run(
                                batch.graph, on: batch.examples, step: batch.step, traces: batch.traces,
                                rolloutID: batch.rolloutID)
                        }
                        return (index, results)
                    }
                    next += 1
                    running += 1
                }
                guard let (index, finished) = try await group.next() else { break }
                running -= 1
                results[index] = finished
            }
            return results
        }
    }

    /// The result at `position` of batch `batch`.
    private static func result(_ results: [[StepResult]], _ batch: Int, _ position: Int) throws -> StepResult {
        guard results.indices.contains(batch), results[batch].indices.contains(position) else {
            throw OptimizeError(
                code: .incompleteStep, message: "a SIMBA batch returned fewer results than it had examples")
        }
        return results[batch][position]
    }
}
