import DSPEx
import PostgresNIO

extension PostgresStore {
    /// The last of each key's records: a statement may not upsert one row twice.
    static func lastOfEach<Record, Key: Hashable>(_ records: [Record], key: (Record) -> Key) -> [Record] {
        var position: [Key: Int] = [:]
        var kept: [Record] = []
        for record in records {
            if let index = position[key(record)] {
                kept[index] = record
            } else {
                position[key(record)] = kept.count
                kept.append(record)
            }
        }
        return kept
    }

    static func resultKey(_ record: ResultRecord) -> [String] { [String(record.runId), record.exampleId] }
    static func stageKey(_ record: ExampleStageRecord) -> [String] {
        [String(record.runId), record.exampleId, String(record.position)]
    }

    static let upsertResults = PostgresTableShape.result.insert(conflict: ["runId", "exampleId"])
    static let upsertStages = PostgresTableShape.exampleStage.insert(conflict: ["runId", "exampleId", "position"])

    /// Writes `records` in one statement; a result already stored for the same example is replaced.
    public func insertResults(_ records: [ResultRecord]) async throws {
        guard !records.isEmpty else { return }
        let json = try json(Self.lastOfEach(records, key: Self.resultKey), what: "\(records.count) results")
        _ = try await rows(
            "insert \(records.count) results", code: .write, runID: records.first?.runId,
            PostgresQuery(unsafeSQL: Self.upsertResults, binds: Self.binds(json)))
    }

    /// Writes the results and stage records `take` returns in one statement (so they commit or fail together).
    public func writeResultBatch(
        _ take: @escaping @Sendable () throws -> (results: [ResultRecord], stages: [ExampleStageRecord])
    ) async throws {
        let (results, stages) = try take()
        guard !results.isEmpty || !stages.isEmpty else { return }
        let resultsJSON = try json(Self.lastOfEach(results, key: Self.resultKey), what: "\(results.count) results")
        let stagesJSON = try json(Self.lastOfEach(stages, key: Self.stageKey), what: "\(stages.count) stage records")
        let sql = """
            WITH written AS (\(Self.upsertResults) RETURNING 1)
            \(PostgresTableShape.exampleStage.insert(parameter: 2, conflict: ["runId", "exampleId", "position"]))
            """
        _ = try await rows(
            "insert \(results.count) results", code: .write, runID: results.first?.runId ?? stages.first?.runId,
            PostgresQuery(unsafeSQL: sql, binds: Self.binds(resultsJSON, stagesJSON)))
    }

    /// Bindings of text values, `$1`, `$2`, … in order.
    static func binds(_ values: String...) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values { bindings.append(value) }
        return bindings
    }

    /// The ids of the run's finished examples.
    public func completedExampleIDs(runID: Int64) async throws -> Set<String> {
        let rows = try await rows(
            "read the finished example ids", runID: runID,
            "SELECT \"exampleId\" FROM result WHERE \"runId\" = \(runID)")
        return try Set(rows.map { try $0.decode(String.self) })
    }

    /// The ids of the run's finished examples at these dataset positions.
    public func completedExampleIDs(runID: Int64, positions: Range<Int>) async throws -> Set<String> {
        let rows = try await rows(
            "read the finished example ids", runID: runID,
            """
            SELECT "exampleId" FROM result WHERE "runId" = \(runID)
              AND "exampleIndex" >= \(positions.lowerBound) AND "exampleIndex" < \(positions.upperBound)
            """)
        return try Set(rows.map { try $0.decode(String.self) })
    }

    /// How many results the run has.
    public func resultCount(runID: Int64) async throws -> Int {
        try await value(
            Int.self, "count the results", runID: runID,
            "SELECT COUNT(*)::bigint FROM result WHERE \"runId\" = \(runID)") ?? 0
    }

    /// The run's results in dataset order.
    public func results(runID: Int64) async throws -> [ResultRecord] {
        try await records(
            ResultRecord.self, "read the results", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.result.json("r")) FROM result r WHERE r."runId" = \(runID)
            ORDER BY r."exampleIndex", r."exampleId"
            """)
    }

    /// How many results ``forEachResult(runID:_:)`` holds in memory at once.
    static let pageSize = 2000

    /// Calls `body` with each of the run's results in dataset order, a page at a time in memory.
    public nonisolated(nonsending) func forEachResult(
        runID: Int64, _ body: (ResultRecord) throws -> Void
    ) async throws {
        var after: (index: Int, id: String)? = nil
        while true {
            let position = after.map { "AND (r.\"exampleIndex\", r.\"exampleId\") > (\($0.index), $2)" } ?? ""
            var binds = PostgresBindings()
            binds.append(runID)
            if let after { binds.append(after.id) }
            let page = try await records(
                ResultRecord.self, "export the results", runID: runID,
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(PostgresTableShape.result.json("r")) FROM result r WHERE r."runId" = $1 \(position)
                        ORDER BY r."exampleIndex", r."exampleId" LIMIT \(Self.pageSize)
                        """, binds: binds))
            for record in page { try body(record) }
            guard page.count == Self.pageSize, let last = page.last else { return }
            after = (last.exampleIndex, last.exampleId)
        }
    }

    /// The run's lowest-scoring results (errors first, no score before any score), at most `limit`.
    public func worstResults(runID: Int64, limit: Int) async throws -> [ResultRecord] {
        try await records(
            ResultRecord.self, "find the worst results", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.result.json("r")) FROM result r WHERE r."runId" = \(runID)
            ORDER BY r.error IS NULL, r.score IS NOT NULL, r.score, r."exampleIndex" LIMIT \(max(0, limit))
            """)
    }

    /// The result of one example, or `nil`.
    public func result(runID: Int64, exampleID: String) async throws -> ResultRecord? {
        try await records(
            ResultRecord.self, "read the result of example '\(exampleID)'", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.result.json("r")) FROM result r
            WHERE r."runId" = \(runID) AND r."exampleId" = \(exampleID)
            """
        ).first
    }

    /// The run's results for the given examples, by example id.
    public func results(runID: Int64, exampleIDs: [String]) async throws -> [String: ResultRecord] {
        guard !exampleIDs.isEmpty else { return [:] }
        let found = try await records(
            ResultRecord.self, "read results by id", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.result.json("r")) FROM result r
            WHERE r."runId" = \(runID) AND r."exampleId" = ANY(\(exampleIDs))
            """)
        return Dictionary(found.map { ($0.exampleId, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
