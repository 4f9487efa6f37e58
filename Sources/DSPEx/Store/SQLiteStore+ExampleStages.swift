import GRDB

extension SQLiteStore {
    static let upsertStageSQL = """
        INSERT OR REPLACE INTO exampleStage
            (runId, exampleId, position, stage, inputs, outputs, calls, callCount, fallback, error, rawReply)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Upserts stage records with one cached statement; call inside a write transaction (the results' one).
    static func upsert(_ records: some Collection<ExampleStageRecord>, in db: Database) throws {
        guard !records.isEmpty else { return }
        let statement = try db.cachedStatement(sql: upsertStageSQL)
        for record in records {
            statement.setUncheckedArguments([
                record.runId, record.exampleId, record.position, record.stage, record.inputs, record.outputs,
                record.calls, record.callCount, record.fallback, record.error, record.rawReply,
            ])
            try statement.execute()
        }
    }

    /// Writes stage records in one transaction (the evaluation writes them with its results instead).
    public func insertStages(_ records: [ExampleStageRecord]) throws {
        try write("insert \(records.count) stage records", runID: records.first?.runId) { db in
            try Self.upsert(records, in: db)
        }
    }

    /// What each stage did for example `exampleID` of run `runID`, in graph order (empty when nothing was kept).
    public func stages(runID: Int64, exampleID: String) throws -> [ExampleStageRecord] {
        try read("read the stages of example '\(exampleID)'", runID: runID) { db in
            try ExampleStageRecord.filter(Column("runId") == runID && Column("exampleId") == exampleID)
                .order(Column("position")).fetchAll(db)
        }
    }

    /// The stage records of the last `examples` examples of run `runID` that kept any, in dataset order.
    public func lastStages(runID: Int64, examples: Int) throws -> [ExampleStageRecord] {
        try read("read the last stages", runID: runID) { db in
            try ExampleStageRecord.fetchAll(
                db,
                sql: """
                    SELECT s.* FROM exampleStage s JOIN (
                        SELECT r.exampleId, r.exampleIndex FROM result r
                        WHERE r.runId = ? AND EXISTS (
                            SELECT 1 FROM exampleStage e WHERE e.runId = r.runId AND e.exampleId = r.exampleId)
                        ORDER BY r.exampleIndex DESC LIMIT ?
                    ) last ON s.exampleId = last.exampleId
                    WHERE s.runId = ?
                    ORDER BY last.exampleIndex, s.position
                    """, arguments: [runID, max(0, examples), runID])
        }
    }

    /// How many stage records run `runID` kept.
    public func stageCount(runID: Int64) throws -> Int {
        try read("count the stage records", runID: runID) { db in
            try ExampleStageRecord.filter(Column("runId") == runID).fetchCount(db)
        }
    }
}
