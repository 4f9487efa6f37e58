import Foundation

extension Run {
    /// Creates the evaluation run `name` for `plan` and splits its examples into shards of `shardSize` in `queue`,
    /// for `dspex worker` processes (on any machine using the same store) to claim; nothing is evaluated here.
    ///
    /// - Returns: The run's id and how many examples and shards it has.
    /// - Throws: ``RunError`` with ``RunError/Code/invalidPlanKind`` for a compile plan; what
    ///   ``create(_:named:in:)`` throws; a dataset error.
    @discardableResult
    public static func enqueue(
        _ plan: RunPlan, named name: String, in queue: any ShardQueue, shardSize: Int
    ) async throws -> (runID: Int64, examples: Int, shards: Int) {
        guard plan.kind == .eval else {
            throw RunError(
                code: .invalidPlanKind,
                message: "only evaluations are shared with workers; run a compile without --workers-only")
        }
        let prepared = try await PreparedRun(plan, name: name, resume: false)
        await prepared.tools.close()
        // The positions the workers' streams number the examples by: the dataset's rows after bad ones are skipped.
        var examples = 0
        let dataset = Dataset(
            url: URL(fileURLWithPath: plan.data), configuration: prepared.datasetConfiguration(limit: plan.limit))
        for try await _ in dataset.rows() { examples += 1 }
        let id = try await EvaluationCheckpoint.open(prepared.identity, kind: RunRecord.Kind.eval, in: queue).id
        let size = max(1, shardSize)
        try await queue.enqueueShards(runID: id, examples: examples, shardSize: size)
        return (id, examples, (examples + size - 1) / size)
    }

    /// Evaluates one claimed shard of a run: the examples at its dataset positions not yet stored.
    ///
    /// - Parameter concurrency: Caps each stage's concurrency (this worker's share of the work), over the plan's.
    static func evaluateShard(
        _ claim: ShardClaim, store: any ShardQueue, connector: some LanguageModelConnector, concurrency: Int?,
        observer: RunObserver
    ) async throws -> EvaluatedRun {
        guard let record = try await store.run(id: claim.runID) else {
            throw EvaluateError(code: .unknownRun, message: "there is no run \(claim.runID) for shard \(claim.shard)")
        }
        var plan = try storedPlan(of: record)
        if let concurrency { plan.concurrency = concurrency }
        var prepared = try await PreparedRun(plan, name: record.name, resume: true)
        prepared.identity.shard = claim.range
        do {
            try EvaluationCheckpoint.refuseChanges(prepared.identity, kind: RunRecord.Kind.eval, existing: record)
            let gate = plan.sharedRequestsPerMinute.map {
                SharedRequestGate(queue: store, runID: claim.runID, perMinute: $0)
            }
            let outcome = try await RequestGates.$current.withValue(gate) {
                try await evaluate(prepared, store: store, connector: connector, observer: observer)
            }
            await prepared.tools.close()
            guard case .evaluated(let evaluated) = outcome else {
                throw RunError(
                    code: .invalidPlanKind, message: "shard \(claim.shard) of '\(record.name)' is not an eval")
            }
            return evaluated
        } catch {
            await prepared.tools.close()
            throw error
        }
    }
}
