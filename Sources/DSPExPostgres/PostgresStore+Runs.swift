import DSPEx
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Creates a run in status `running`; a run of that name already stored is refused.
    public func createRun(
        name: String, kind: String, pipeline: String, pipelineHash: String, datasetHash: String, config: String,
        plan: String?
    ) async throws -> RunRecord {
        let now = Date().timeIntervalSince1970
        let shape = PostgresTableShape.run
        let created = try await records(
            RunRecord.self, "create run '\(name)'",
            """
            INSERT INTO run (name, kind, pipeline, "pipelineHash", "datasetHash", config, status, "createdAt",
                             "updatedAt", plan)
            VALUES (\(name), \(kind), \(pipeline), \(pipelineHash), \(datasetHash), \(config), \(RunRecord.Status.running),
                    to_timestamp(\(now)), to_timestamp(\(now)), \(plan))
            ON CONFLICT (name) DO NOTHING
            RETURNING \(unescaped: shape.json("run"))
            """)
        guard let record = created.first else {
            throw StoreError(
                code: .write, message: "could not create run '\(name)' in \(url): a run of that name exists",
                path: location)
        }
        return record
    }

    /// The run named `name`, or `nil`.
    public func run(named name: String) async throws -> RunRecord? {
        try await records(
            RunRecord.self, "find run '\(name)'",
            "SELECT \(unescaped: PostgresTableShape.run.json("r")) FROM run r WHERE r.name = \(name)"
        ).first
    }

    /// The run with id `id`, or `nil`.
    public func run(id: Int64) async throws -> RunRecord? {
        try await records(
            RunRecord.self, "find the run", runID: id,
            "SELECT \(unescaped: PostgresTableShape.run.json("r")) FROM run r WHERE r.id = \(id)"
        ).first
    }

    /// Every run, newest first.
    public func runs() async throws -> [RunRecord] {
        try await records(
            RunRecord.self, "list runs",
            "SELECT \(unescaped: PostgresTableShape.run.json("r")) FROM run r ORDER BY r.\"createdAt\" DESC, r.id DESC")
    }

    /// Stores a run's plan.
    public func setPlan(runID: Int64, plan: String) async throws {
        _ = try await rows(
            "store the run's plan", code: .write, runID: runID, "UPDATE run SET plan = \(plan) WHERE id = \(runID)")
    }

    /// Records the process working on a run (`nil` when none is).
    public func setWorker(runID: Int64, pid: Int?, host: String?) async throws {
        _ = try await rows(
            "record the run's worker", code: .write, runID: runID,
            "UPDATE run SET \"workerPid\" = \(pid), \"workerHost\" = \(host) WHERE id = \(runID)")
    }

    /// Sets a run's status and, when given, its totals; always touches `updatedAt`.
    public func updateRun(id: Int64, status: String, totals: StoredTotals?) async throws {
        let totalsJSON = try totals.map { try $0.storedJSON(path: location) }
        let changed = try await rows(
            "update the status to \(status)", code: .write, runID: id,
            """
            UPDATE run SET status = \(status), "updatedAt" = now(), totals = COALESCE(CAST(\(totalsJSON) AS text), totals)
            WHERE id = \(id) RETURNING id
            """)
        guard changed.count == 1 else {
            throw StoreError(code: .notFound, message: "there is no run \(id) in \(url) to update", path: location)
        }
    }

    /// Totals computed from a run's stored results.
    public func totals(runID: Int64) async throws -> StoredTotals {
        let row = try await rows(
            "sum the results", runID: runID,
            """
            SELECT COUNT(*)::bigint, COALESCE(SUM(score), 0)::float8, COUNT(error)::bigint,
                   COALESCE(SUM("lmCalls"), 0)::bigint, COALESCE(SUM("cachedCalls"), 0)::bigint,
                   COALESCE(SUM("promptTokens"), 0)::bigint, COALESCE(SUM("completionTokens"), 0)::bigint,
                   COALESCE(SUM("failedCalls"), 0)::bigint, COALESCE(SUM(requests), 0)::bigint
            FROM result WHERE "runId" = \(runID)
            """
        ).first
        guard let row else { return StoredTotals() }
        do {
            let (examples, scoreSum, errors, lmCalls, cached, prompt, completion, failed, requests) = try row.decode(
                (Int, Double, Int, Int, Int, Int, Int, Int, Int).self)
            return StoredTotals(
                examples: examples, scoreSum: scoreSum, errors: errors, lmCalls: lmCalls, cachedCalls: cached,
                failedCalls: failed, requests: requests, promptTokens: prompt, completionTokens: completion)
        } catch {
            throw storeError(error, code: .invalidData, operation: "sum the results", runID: runID)
        }
    }
}
