import GRDB

extension SQLiteStore {
    /// Records a compile step, replacing an earlier value of the same key.
    public func saveCompileStep(_ record: CompileStepRecord) throws {
        try write("record compile step '\(record.key)'", runID: record.runId) { db in try record.save(db) }
    }

    /// The compile step `key` of run `runID`, or `nil`.
    public func compileStep(runID: Int64, key: String) throws -> CompileStepRecord? {
        try read("read compile step '\(key)'", runID: runID) { db in
            try CompileStepRecord.fetchOne(db, key: ["runId": runID, "key": key])
        }
    }

    /// The compile steps of run `runID` whose key starts with `prefix`, in key order.
    public func compileSteps(runID: Int64, prefix: String = "") throws -> [CompileStepRecord] {
        try read("read compile steps", runID: runID) { db in
            try CompileStepRecord.filter(Column("runId") == runID)
                .filter(Column("key").like(Self.likePattern(prefix: prefix), escape: "\\"))
                .order(Column("key")).fetchAll(db)
        }
    }

    /// Records one example's outcome in a compile step (its own transaction: durable when this returns).
    ///
    /// Waits without blocking a thread, and commits even when the calling task is cancelled: a finished example is
    /// never lost to a Ctrl-C.
    public func saveCompileResult(_ record: CompileResultRecord) async throws {
        try await asyncWrite("record a result of step '\(record.step)'", runID: record.runId) { db in
            try record.save(db)
        }
    }

    /// The stored outcomes of compile step `step` of run `runID`.
    public func compileResults(runID: Int64, step: String) throws -> [CompileResultRecord] {
        try read("read the results of step '\(step)'", runID: runID) { db in
            try CompileResultRecord.filter(Column("runId") == runID && Column("step") == step)
                .order(Column("exampleIndex")).fetchAll(db)
        }
    }

    /// Calls and tokens summed over every stored example outcome of compile run `runID`.
    public func compileTotals(runID: Int64) throws -> StoredTotals {
        try read("sum the compile results", runID: runID) { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*), COUNT(error), TOTAL(lmCalls), TOTAL(cachedCalls), TOTAL(promptTokens),
                           TOTAL(completionTokens), TOTAL(failedCalls), TOTAL(requests)
                    FROM compileResult WHERE runId = ?
                    """, arguments: [runID])
            guard let row else { return StoredTotals() }
            return StoredTotals(
                examples: row[0], errors: row[1], lmCalls: Int(row[2] as Double), cachedCalls: Int(row[3] as Double),
                failedCalls: Int(row[6] as Double), requests: Int(row[7] as Double),
                promptTokens: Int(row[4] as Double), completionTokens: Int(row[5] as Double))
        }
    }

    /// A LIKE pattern matching keys that start with `prefix` literally.
    private static func likePattern(prefix: String) -> String {
        var escaped = ""
        for character in prefix {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "%"
    }
}
