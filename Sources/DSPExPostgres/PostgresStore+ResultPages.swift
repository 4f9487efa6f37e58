import DSPEx
import Foundation
import PostgresNIO

extension PostgresStore {
    /// One page of the run's results matching `query`, with the count of all that match.
    public func resultPage(runID: Int64, query: ResultPageQuery) async throws -> ResultPage {
        var binds = PostgresBindings()
        binds.append(runID)
        var conditions = ["\"runId\" = $1"]
        if let condition = query.outcomeCondition { conditions.append(condition) }
        if let kind = query.errorKind {
            binds.append(kind)
            conditions.append("error IS NOT NULL AND \"errorKind\" = $\(binds.count)")
        }
        if let pattern = query.searchPattern {
            binds.append(pattern)
            let mark = "$\(binds.count)"
            conditions.append("(\"exampleId\" ILIKE \(mark) OR outputs ILIKE \(mark) OR error ILIKE \(mark))")
        }
        let filter = conditions.joined(separator: " AND ")
        // SQLite puts no score first in ascending order and last in descending order.
        let order =
            switch query.order {
            case .index: "\"exampleIndex\""
            case .scoreAscending: "score NULLS FIRST, \"exampleIndex\""
            case .scoreDescending: "score DESC NULLS LAST, \"exampleIndex\""
            }
        let total =
            try await value(
                Int.self, "count a page of results", runID: runID,
                PostgresQuery(unsafeSQL: "SELECT COUNT(*)::bigint FROM result WHERE \(filter)", binds: binds)) ?? 0
        let results = try await records(
            ResultRecord.self, "read a page of results", runID: runID,
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(PostgresTableShape.result.json("result")) FROM result WHERE \(filter)
                    ORDER BY \(order) LIMIT \(max(0, query.limit)) OFFSET \(max(0, query.offset))
                    """, binds: binds))
        return ResultPage(results: results, total: total)
    }

    /// How many errors of each kind the run has, most frequent first.
    public func errorKindCounts(runID: Int64) async throws -> [(kind: String, count: Int)] {
        let rows = try await rows(
            "count the kinds of errors", runID: runID,
            """
            SELECT "errorKind", COUNT(*)::bigint AS n FROM result WHERE "runId" = \(runID) AND error IS NOT NULL
            GROUP BY "errorKind" ORDER BY n DESC, "errorKind" NULLS FIRST
            """)
        return try rows.map { row in
            let (kind, count) = try row.decode((String?, Int).self)
            return (kind: kind ?? "error", count: count)
        }
    }

    /// The examples two runs share, paired, in example order; `flippedOnly` keeps the ones that passed in one run
    /// and failed in the other.
    public func comparedResults(
        runID: Int64, with otherID: Int64, flippedOnly: Bool, offset: Int, limit: Int
    ) async throws -> (pairs: [(ResultRecord, ResultRecord)], total: Int) {
        let passedA = "(a.error IS NULL AND a.score >= 1)"
        let passedB = "(b.error IS NULL AND b.score >= 1)"
        let filter =
            "a.\"runId\" = $1 AND b.\"runId\" = $2 AND b.\"exampleId\" = a.\"exampleId\""
            + (flippedOnly ? " AND \(passedA) <> \(passedB)" : "")
        var binds = PostgresBindings()
        binds.append(runID)
        binds.append(otherID)
        let total =
            try await value(
                Int.self, "compare two runs", runID: runID,
                PostgresQuery(
                    unsafeSQL: "SELECT COUNT(*)::bigint FROM result a JOIN result b ON \(filter)", binds: binds)) ?? 0
        let shape = PostgresTableShape.result
        let rows = try await rows(
            "compare two runs", runID: runID,
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(shape.json("a")), \(shape.json("b")) FROM result a JOIN result b ON \(filter)
                    ORDER BY a."exampleIndex" LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
                    """, binds: binds))
        let pairs = try rows.map { row in
            do {
                let (left, right) = try row.decode((String, String).self)
                return (
                    try Self.decoder.decode(ResultRecord.self, from: Data(left.utf8)),
                    try Self.decoder.decode(ResultRecord.self, from: Data(right.utf8))
                )
            } catch {
                throw storeError(error, code: .invalidData, operation: "compare two runs", runID: runID)
            }
        }
        return (pairs, total)
    }
}
