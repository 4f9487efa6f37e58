import Foundation
import OrderedCollections

/// The store side of an evaluation: finds, creates or refuses the run; writes results in batches;
/// reads the totals back.
struct EvaluationCheckpoint {
    let store: any Store
    let runID: Int64
    let completedIDs: Set<String>

    init(store: (any Store)?, run: Evaluate.Run) async throws {
        guard let store else {
            throw EvaluateError(code: .unknownRun, message: "run '\(run.name)' needs a store to be saved or resumed")
        }
        self.store = store
        let (id, resumed) = try await Self.open(run, kind: RunRecord.Kind.eval, in: store)
        runID = id
        if !resumed {
            completedIDs = []
        } else if let shard = run.shard {
            completedIDs = try await store.completedExampleIDs(runID: id, positions: shard)
        } else {
            completedIDs = try await store.completedExampleIDs(runID: id)
        }
    }

    /// Creates the run, or — when `run.resume` is set — finds it and checks that its kind, program, dataset and
    /// metric are the ones it was started with, then marks it running again.
    ///
    /// - Returns: The run's id, and whether it existed.
    /// - Throws: ``EvaluateError`` for a name taken, an unknown run, or a mismatch.
    static func open(_ run: Evaluate.Run, kind: String, in store: any Store) async throws -> (id: Int64, resumed: Bool)
    {
        if let existing = try await store.run(named: run.name) {
            guard run.resume else {
                throw EvaluateError(
                    code: .runExists,
                    message: "a run named '\(run.name)' already exists (\(existing.status)); resume it with "
                        + "`dspex resume \(run.name)` or choose another --run name")
            }
            try refuseChanges(run, kind: kind, existing: existing)
            guard let id = existing.id else { preconditionFailure("a stored run always has an id") }
            try await store.updateRun(id: id, status: RunRecord.Status.running, totals: nil)
            return (id, true)
        }
        guard !run.resume else {
            throw EvaluateError(
                code: .unknownRun, message: "there is no run named '\(run.name)' to resume; see `dspex runs`")
        }
        let record = try await store.createRun(
            name: run.name, kind: kind, pipeline: run.pipeline, pipelineHash: run.programHash,
            datasetHash: run.datasetHash, config: run.config.jsonString(), plan: run.plan)
        guard let id = record.id else { preconditionFailure("a created run always has an id") }
        return (id, false)
    }

    /// Throws when `run` is not the stored run `existing` continued: another kind, program, dataset or metric.
    static func refuseChanges(_ run: Evaluate.Run, kind: String, existing: RunRecord) throws(EvaluateError) {
        guard existing.kind == kind else {
            throw EvaluateError(
                code: .mismatch, message: "run '\(run.name)' is a \(existing.kind) run, not a \(kind) run")
        }
        if existing.pipelineHash != run.programHash {
            throw EvaluateError(
                code: .mismatch,
                message: "the pipeline changed since run '\(run.name)' started (\(existing.pipeline)); its results "
                    + "would be mixed with a different program's. Start a new run with another --run name.")
        }
        if existing.datasetHash != run.datasetHash {
            throw EvaluateError(
                code: .mismatch,
                message: "the dataset changed since run '\(run.name)' started; its results would be mixed with "
                    + "another dataset's. Start a new run with another --run name.")
        }
        let savedMetric = (try? Value(json: existing.config))?["metric"]
        if let savedMetric, let metric = run.config["metric"], Self.metricsDiffer(savedMetric, metric) {
            throw EvaluateError(
                code: .mismatch,
                message:
                    "run '\(run.name)' was scored with metric \(savedMetric.plainText), not \(metric.plainText)")
        }
    }

    /// Whether two metric descriptions name different metrics: a key both have with different values (a key
    /// only one has — e.g. a `label` earlier versions did not store — is no difference).
    static func metricsDiffer(_ saved: Value, _ current: Value) -> Bool {
        guard let saved = saved.objectValue, let current = current.objectValue else { return saved != current }
        return saved.contains { key, value in
            current[key].map { $0 != value && !($0 == .null || value == .null) } ?? false
        }
    }

    func storedTotals() async throws -> StoredTotals {
        try await store.totals(runID: runID)
    }

    /// The stored form of a scored result, the example at `position` of the dataset.
    func record(for item: ScoredResult, position: Int) -> ResultRecord {
        ResultRecord(
            runId: runID, exampleId: item.result.example.id, exampleIndex: position,
            outputs: Value.object(item.result.outputs).jsonString(), score: item.score, error: item.errorText,
            lmCalls: item.result.usage.lmCalls, cachedCalls: item.result.usage.cachedCalls,
            failedCalls: item.result.usage.failedCalls, requests: item.result.usage.requests,
            promptTokens: item.result.usage.tokens.promptTokens,
            completionTokens: item.result.usage.tokens.completionTokens,
            latencyMs: item.result.usage.latency.milliseconds,
            errorKind: item.result.error?.kind ?? item.metricError.map { _ in "metric" })
    }

    /// The stored form of what each stage did for a scored result, when `keeping` keeps it.
    func stageRecords(for item: ScoredResult, keeping: KeepPrompts, textLimit: Int) -> [ExampleStageRecord] {
        guard !item.result.stages.isEmpty, keeping.keeps(error: item.isError, score: item.score) else { return [] }
        return item.result.stages.map { stage in
            ExampleStageRecord(
                runId: runID, exampleId: item.result.example.id, position: stage.position, stage: stage.stage,
                inputs: Value.object(stage.inputs).jsonString(), outputs: Value.object(stage.outputs).jsonString(),
                calls: "[" + stage.calls.map { $0.storedJSON(textLimit: textLimit) }.joined(separator: ",") + "]",
                callCount: stage.calls.count,
                fallback: stage.fallbacks.isEmpty ? nil : stage.fallbacks.joined(separator: "\n"), error: stage.error,
                rawReply: stage.rawReply?.keptText(limit: textLimit))
        }
    }

    func finish(stopped: Bool) async throws -> StoredTotals {
        let totals = try await store.totals(runID: runID)
        try await store.updateRun(id: runID, status: stopped ? "stopped" : "completed", totals: totals)
        return totals
    }
}
