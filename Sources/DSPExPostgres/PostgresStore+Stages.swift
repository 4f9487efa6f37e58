import DSPEx
import PostgresNIO

extension PostgresStore {
    /// Inserts stage records in one statement; a record already stored for the same stage is replaced.
    public func insertStages(_ records: [ExampleStageRecord]) async throws {
        guard !records.isEmpty else { return }
        let json = try json(Self.lastOfEach(records, key: Self.stageKey), what: "\(records.count) stage records")
        _ = try await rows(
            "insert \(records.count) stage records", code: .write, runID: records.first?.runId,
            PostgresQuery(unsafeSQL: Self.upsertStages, binds: Self.binds(json)))
    }

    /// The stages of one example, in pipeline order.
    public func stages(runID: Int64, exampleID: String) async throws -> [ExampleStageRecord] {
        try await records(
            ExampleStageRecord.self, "read the stages of example '\(exampleID)'", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.exampleStage.json("s")) FROM "exampleStage" s
            WHERE s."runId" = \(runID) AND s."exampleId" = \(exampleID) ORDER BY s.position
            """)
    }

    /// The stage records of the last `examples` examples of the run that kept any, in dataset order.
    public func lastStages(runID: Int64, examples: Int) async throws -> [ExampleStageRecord] {
        try await records(
            ExampleStageRecord.self, "read the last stages", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.exampleStage.json("s")) FROM "exampleStage" s JOIN (
                SELECT r."exampleId", r."exampleIndex" FROM result r
                WHERE r."runId" = \(runID) AND EXISTS (
                    SELECT 1 FROM "exampleStage" e WHERE e."runId" = r."runId" AND e."exampleId" = r."exampleId")
                ORDER BY r."exampleIndex" DESC LIMIT \(max(0, examples))
            ) last ON s."exampleId" = last."exampleId"
            WHERE s."runId" = \(runID)
            ORDER BY last."exampleIndex", s.position
            """)
    }

    /// How many stage records the run kept.
    public func stageCount(runID: Int64) async throws -> Int {
        try await value(
            Int.self, "count the stage records", runID: runID,
            "SELECT COUNT(*)::bigint FROM \"exampleStage\" WHERE \"runId\" = \(runID)") ?? 0
    }
}
