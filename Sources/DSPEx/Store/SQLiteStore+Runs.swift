import Foundation
import GRDB

extension SQLiteStore {
    /// Creates a run in status `running`.
    ///
    /// - Parameters:
    ///   - name: The unique name the run is found and resumed by.
    ///   - kind: ``RunRecord/Kind`` `eval`, `compile` or `run`.
    ///   - pipeline: The pipeline file's path.
    ///   - pipelineHash: A hash of the program, to refuse resuming a changed one.
    ///   - datasetHash: A hash of the dataset, to refuse resuming on a changed one.
    ///   - config: The run's configuration as JSON text; never an API key.
    ///   - plan: The run's plan as JSON text, which a resume reads; never an API key.
    /// - Returns: The inserted record, with its ``RunRecord/id``.
    /// - Throws: ``StoreError`` (``StoreError/Code/write``) if a run with that name exists.
    @discardableResult
    public func createRun(
        name: String, kind: String, pipeline: String, pipelineHash: String, datasetHash: String, config: String,
        plan: String? = nil
    ) throws -> RunRecord {
        try write("create run '\(name)'") { db in
            let now = Date()
            var record = RunRecord(
                name: name, kind: kind, pipeline: pipeline, pipelineHash: pipelineHash, datasetHash: datasetHash,
                config: config, status: RunRecord.Status.running, createdAt: now, updatedAt: now, plan: plan)
            try record.insert(db)
            return record
        }
    }

    /// The run named `name`, or `nil`.
    public func run(named name: String) throws -> RunRecord? {
        try read("find run '\(name)'") { db in
            try RunRecord.filter(Column("name") == name).fetchOne(db)
        }
    }

    /// The run with row id `id`, or `nil`.
    public func run(id: Int64) throws -> RunRecord? {
        try read("find the run", runID: id) { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// Every run, newest first.
    public func runs() throws -> [RunRecord] {
        try read("list runs") { db in
            try RunRecord.order(Column("createdAt").desc, Column("id").desc).fetchAll(db)
        }
    }

    /// Stores a run's plan (for a run stored before plans were).
    public func setPlan(runID: Int64, plan: String) throws {
        try write("store the run's plan", runID: runID) { db in
            try RunRecord.filter(key: runID).updateAll(db, Column("plan").set(to: plan))
        }
    }

    /// Records the process working on a run (`nil` when none is), for `cancel` and for refusing a second worker.
    public func setWorker(runID: Int64, pid: Int?, host: String?) throws {
        try write("record the run's worker", runID: runID) { db in
            try RunRecord.filter(key: runID).updateAll(
                db, Column("workerPid").set(to: pid), Column("workerHost").set(to: host))
        }
    }

    /// Sets a run's status and, when given, its totals; always touches `updatedAt`.
    ///
    /// - Parameters:
    ///   - id: The run's row id.
    ///   - status: A ``RunRecord/Status`` value.
    ///   - totals: The totals to store as JSON, or `nil` to keep the stored ones.
    /// - Throws: ``StoreError`` with ``StoreError/Code/notFound`` for an unknown id.
    public func updateRun(id: Int64, status: String, totals: StoredTotals?) throws {
        let totalsJSON = try totals.map { try $0.storedJSON(path: path) }
        let changed = try write("update the status to \(status)", runID: id) { db in
            var assignments = [Column("status").set(to: status), Column("updatedAt").set(to: Date())]
            if let totalsJSON { assignments.append(Column("totals").set(to: totalsJSON)) }
            return try RunRecord.filter(key: id).updateAll(db, assignments)
        }
        guard changed == 1 else {
            throw StoreError(code: .notFound, message: "there is no run \(id) in \(path) to update", path: path)
        }
    }

    /// Totals computed from a run's stored results: count, score sum, errors, calls and tokens.
    ///
    /// Results without a score count as 0; a result with an `error` counts as an error.
    public func totals(runID: Int64) throws -> StoredTotals {
        try read("sum the results", runID: runID) { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*), TOTAL(score), COUNT(error), TOTAL(lmCalls), TOTAL(cachedCalls),
                           TOTAL(promptTokens), TOTAL(completionTokens), TOTAL(failedCalls), TOTAL(requests)
                    FROM result WHERE runId = ?
                    """, arguments: [runID])
            guard let row else { return StoredTotals() }
            return StoredTotals(
                examples: row[0], scoreSum: row[1], errors: row[2], lmCalls: Int(row[3] as Double),
                cachedCalls: Int(row[4] as Double), failedCalls: Int(row[7] as Double),
                requests: Int(row[8] as Double), promptTokens: Int(row[5] as Double),
                completionTokens: Int(row[6] as Double))
        }
    }
}
