import DSPEx
import PostgresNIO

extension PostgresStore {
    /// Records (or replaces) one step of a compile run.
    public func saveCompileStep(_ record: CompileStepRecord) async throws {
        let json = try json([record], what: "compile step '\(record.key)'")
        _ = try await rows(
            "record compile step '\(record.key)'", code: .write, runID: record.runId,
            PostgresQuery(
                unsafeSQL: PostgresTableShape.compileStep.insert(conflict: ["runId", "key"]), binds: Self.binds(json)))
    }

    /// The step stored under `key`, or `nil`.
    public func compileStep(runID: Int64, key: String) async throws -> CompileStepRecord? {
        try await records(
            CompileStepRecord.self, "read compile step '\(key)'", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.compileStep.json("c")) FROM "compileStep" c
            WHERE c."runId" = \(runID) AND c.key = \(key)
            """
        ).first
    }

    /// The steps whose keys start with `prefix` (every step for `""`), in key order.
    public func compileSteps(runID: Int64, prefix: String) async throws -> [CompileStepRecord] {
        try await records(
            CompileStepRecord.self, "read compile steps", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.compileStep.json("c")) FROM "compileStep" c
            WHERE c."runId" = \(runID) AND starts_with(c.key, \(prefix)) ORDER BY c.key
            """)
    }

    /// Records (or replaces) one example's result within a compile step; commits even when the task is cancelled.
    public func saveCompileResult(_ record: CompileResultRecord) async throws {
        let json = try json([record], what: "a result of step '\(record.step)'")
        _ = try await rows(
            "record a result of step '\(record.step)'", code: .write, runID: record.runId,
            PostgresQuery(
                unsafeSQL: PostgresTableShape.compileResult.insert(conflict: ["runId", "step", "exampleId"]),
                binds: Self.binds(json)))
    }

    /// The results of one compile step, in example order.
    public func compileResults(runID: Int64, step: String) async throws -> [CompileResultRecord] {
        try await records(
            CompileResultRecord.self, "read the results of step '\(step)'", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.compileResult.json("c")) FROM "compileResult" c
            WHERE c."runId" = \(runID) AND c.step = \(step) ORDER BY c."exampleIndex", c."exampleId"
            """)
    }

    /// The totals of every compile result of the run.
    public func compileTotals(runID: Int64) async throws -> StoredTotals {
        let row = try await rows(
            "sum the compile results", runID: runID,
            """
            SELECT COUNT(*)::bigint, COUNT(error)::bigint, COALESCE(SUM("lmCalls"), 0)::bigint,
                   COALESCE(SUM("cachedCalls"), 0)::bigint, COALESCE(SUM("promptTokens"), 0)::bigint,
                   COALESCE(SUM("completionTokens"), 0)::bigint, COALESCE(SUM("failedCalls"), 0)::bigint,
                   COALESCE(SUM(requests), 0)::bigint
            FROM "compileResult" WHERE "runId" = \(runID)
            """
        ).first
        guard let row else { return StoredTotals() }
        do {
            let (examples, errors, lmCalls, cached, prompt, completion, failed, requests) = try row.decode(
                (Int, Int, Int, Int, Int, Int, Int, Int).self)
            return StoredTotals(
                examples: examples, errors: errors, lmCalls: lmCalls, cachedCalls: cached, failedCalls: failed,
                requests: requests, promptTokens: prompt, completionTokens: completion)
        } catch {
            throw storeError(error, code: .invalidData, operation: "sum the compile results", runID: runID)
        }
    }
}
