import Foundation
import OrderedCollections

/// What is known of a stored run, for `dspex runs`, `show` and `export` and anything else that reports runs: its
/// record, totals and score, as values and as the JSON the CLI prints.
///
/// ```swift
/// for report in try RunReport.all(in: store) { print(report.name, report.score ?? 0) }
/// ```
public struct RunReport: Sendable {
    /// The run's row.
    public var record: RunRecord
    /// The stored totals, once written.
    public var totals: StoredTotals?

    /// The report of `record`.
    public init(_ record: RunRecord) {
        self.record = record
        totals = record.totals.flatMap { try? JSONDecoder().decode(StoredTotals.self, from: Data($0.utf8)) }
    }

    /// Every run in `store`, newest first.
    public static func all(in store: any Store) async throws -> [RunReport] {
        try await store.runs().map(RunReport.init)
    }

    /// The run called `name`.
    ///
    /// - Throws: ``EvaluateError`` with ``EvaluateError/Code/unknownRun`` when there is none.
    public static func named(_ name: String, in store: any Store) async throws -> RunReport {
        guard let record = try await store.run(named: name), record.id != nil else {
            throw EvaluateError(
                code: .unknownRun, message: "there is no run named '\(name)' in \(store.location); see `dspex runs`")
        }
        return RunReport(record)
    }

    /// The run's name.
    public var name: String { record.name }
    /// The run's row id.
    public var id: Int64 { record.id ?? 0 }
    /// Whether it is a compile run.
    public var isCompile: Bool { record.kind == RunRecord.Kind.compile }

    /// The run's score, 0 to 1: an evaluation's mean score, a compile run's best measured score.
    public var score: Double? { isCompile ? totals?.bestScore : totals?.score }

    /// The run as JSON (`runs --json`, `show --json`): name, kind, status, score in percent, counts and times.
    public var summary: OrderedDictionary<String, Value> {
        [
            "name": .string(record.name), "kind": .string(record.kind), "status": .string(record.status),
            "pipeline": .string(record.pipeline),
            "score": score.map { .double(($0 * 10000).rounded() / 100) } ?? .null,
            "examples": .int(totals?.examples ?? 0), "errors": .int(totals?.errors ?? 0),
            "lm_calls": .int(totals?.lmCalls ?? 0), "cached_calls": .int(totals?.cachedCalls ?? 0),
            "failed_calls": .int(totals?.failedCalls ?? 0), "requests": .int(totals?.requests ?? 0),
            "prompt_tokens": .int(totals?.promptTokens ?? 0), "completion_tokens": .int(totals?.completionTokens ?? 0),
            "created_at": .string(ISO8601DateFormatter().string(from: record.createdAt)),
            "updated_at": .string(ISO8601DateFormatter().string(from: record.updatedAt)),
        ]
    }

    /// An evaluation's lowest-scoring results (errors first).
    public func worstResults(limit: Int, in store: any Store) async throws -> [ResultRecord] {
        try await store.worstResults(runID: id, limit: limit)
    }

    /// A compile run's trials as recorded, in order.
    public func trials(in store: any Store) async throws -> [Value] {
        try await store.compileSteps(runID: id, prefix: "trial/").compactMap { try? Value(json: $0.value) }
    }

    /// How many candidates a compile run recorded.
    public func candidateCount(in store: any Store) async throws -> Int {
        try await store.compileSteps(runID: id, prefix: "candidate/").count
    }

    /// Calls `body` with each of the run's results in example order, a batch at a time (never all in memory).
    nonisolated(nonsending) public func forEachResult(in store: any Store, _ body: (ResultRecord) throws -> Void)
        async throws
    {
        try await store.forEachResult(runID: id, body)
    }
}

extension ResultRecord {
    /// The result as JSON (`show`, `export`): id, outputs, score, error, calls, tokens, latency.
    public var value: Value {
        [
            "id": .string(exampleId), "outputs": (try? Value(json: outputs)) ?? .string(outputs),
            "score": score.map(Value.double) ?? .null, "error": error.map(Value.string) ?? .null,
            "lm_calls": .int(lmCalls), "cached_calls": .int(cachedCalls), "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens), "latency_ms": .double(latencyMs),
        ]
    }
}
