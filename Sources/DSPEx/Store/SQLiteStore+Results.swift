import GRDB

extension SQLiteStore {
    /// Writes `records` in one transaction with one prepared statement.
    ///
    /// A result whose (`runId`, `exampleId`) is already stored is replaced (an upsert: the latest
    /// write wins, and no duplicate row is ever created), so writing a batch twice is harmless.
    ///
    /// - Throws: ``StoreError`` naming the run; on failure none of the batch is written.
    public func insertResults(_ records: [ResultRecord]) throws {
        guard !records.isEmpty else { return }
        try write("insert \(records.count) results", runID: records.first?.runId) { db in
            try Self.upsert(records, in: db)
        }
    }

    /// Like ``insertResults(_:)``, waiting without blocking a thread.
    public func insertResults(_ records: [ResultRecord]) async throws {
        guard !records.isEmpty else { return }
        try await asyncWrite("insert \(records.count) results", runID: records.first?.runId) { db in
            try Self.upsert(records, in: db)
        }
    }

    static let upsertResultSQL = """
        INSERT INTO result (runId, exampleId, exampleIndex, outputs, score, error, lmCalls, cachedCalls,
                            failedCalls, requests, promptTokens, completionTokens, latencyMs, errorKind)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (runId, exampleId) DO UPDATE SET
            exampleIndex = excluded.exampleIndex, outputs = excluded.outputs, score = excluded.score,
            error = excluded.error, errorKind = excluded.errorKind, lmCalls = excluded.lmCalls, cachedCalls = excluded.cachedCalls,
            failedCalls = excluded.failedCalls, requests = excluded.requests, promptTokens = excluded.promptTokens, completionTokens = excluded.completionTokens,
            latencyMs = excluded.latencyMs
        """

    /// Upserts `records` with one cached statement; call inside a write transaction.
    static func upsert(_ records: some Sequence<ResultRecord>, in db: Database) throws {
        let statement = try db.cachedStatement(sql: upsertResultSQL)
        for record in records {
            statement.setUncheckedArguments([
                record.runId, record.exampleId, record.exampleIndex, record.outputs, record.score, record.error,
                record.lmCalls, record.cachedCalls, record.failedCalls, record.requests, record.promptTokens,
                record.completionTokens, record.latencyMs, record.errorKind,
            ])
            try statement.execute()
        }
    }

    /// Writes what `take` returns in one transaction on the writer queue; `take` runs inside it. Ignores task
    /// cancellation, like ``insertResults(_:)``: a flush started by a cancelled run still commits what it took.
    public func writeResultBatch(
        _ take: @escaping @Sendable () throws -> (results: [ResultRecord], stages: [ExampleStageRecord])
    ) async throws {
        try await asyncWrite("insert pending results") { db in
            let (results, stages) = try take()
            do {
                try Self.upsert(results, in: db)
                try Self.upsert(stages, in: db)
            } catch {
                throw StoreError.wrapping(
                    error, code: .write, operation: "insert \(results.count) results", runID: results.first?.runId,
                    path: self.path)
            }
        }
    }

    /// The ids of the examples that have a result in run `runID` (failed ones included): what a
    /// resumed run skips.
    public func completedExampleIDs(runID: Int64) throws -> Set<String> {
        try read("read the finished example ids", runID: runID) { db in
            try String.fetchSet(db, sql: "SELECT exampleId FROM result WHERE runId = ?", arguments: [runID])
        }
    }

    /// The ids of the examples at dataset positions `positions` that have a result in run `runID`.
    public func completedExampleIDs(runID: Int64, positions: Range<Int>) throws -> Set<String> {
        try read("read the finished example ids", runID: runID) { db in
            try String.fetchSet(
                db, sql: "SELECT exampleId FROM result WHERE runId = ? AND exampleIndex >= ? AND exampleIndex < ?",
                arguments: [runID, positions.lowerBound, positions.upperBound])
        }
    }

    /// How many results run `runID` has.
    public func resultCount(runID: Int64) throws -> Int {
        try read("count the results", runID: runID) { db in
            try ResultRecord.filter(Column("runId") == runID).fetchCount(db)
        }
    }

    /// Every result of run `runID`, in dataset order. For large runs prefer ``forEachResult(runID:_:)``.
    public func results(runID: Int64) throws -> [ResultRecord] {
        try read("read the results", runID: runID) { db in
            try ResultRecord.filter(Column("runId") == runID).order(Column("exampleIndex")).fetchAll(db)
        }
    }

    /// Calls `body` with each result of run `runID` in dataset order, one row in memory at a time
    /// (a cursor over one read transaction): for exports.
    ///
    /// ```swift
    /// try store.forEachResult(runID: id) { result in print(result.exampleId, result.score ?? 0) }
    /// ```
    public func forEachResult(runID: Int64, _ body: (ResultRecord) throws -> Void) throws {
        try read("export the results", runID: runID) { db in
            let cursor = try ResultRecord.filter(Column("runId") == runID).order(Column("exampleIndex"))
                .fetchCursor(db)
            while let record = try cursor.next() { try body(record) }
        }
    }

    /// The `limit` worst results of run `runID`: failed examples first, then by ascending score
    /// (no score before any score), ties in dataset order.
    public func worstResults(runID: Int64, limit: Int) throws -> [ResultRecord] {
        try read("find the worst results", runID: runID) { db in
            try ResultRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM result WHERE runId = ?
                    ORDER BY error IS NULL, score IS NOT NULL, score, exampleIndex LIMIT ?
                    """, arguments: [runID, max(0, limit)])
        }
    }
}

extension SQLiteStore {
    /// The result of example `exampleID` in run `runID`, if it has one.
    public func result(runID: Int64, exampleID: String) throws -> ResultRecord? {
        try read("read the result of example '\(exampleID)'", runID: runID) { db in
            try ResultRecord.filter(Column("runId") == runID && Column("exampleId") == exampleID).fetchOne(db)
        }
    }
}
