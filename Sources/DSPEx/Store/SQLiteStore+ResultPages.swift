import Foundation
import GRDB

extension SQLiteStore {
    /// One page of run `runID`'s results matching `query`, with the count of all that match.
    public func resultPage(runID: Int64, query: ResultPageQuery) throws -> ResultPage {
        var conditions = ["runId = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [runID]
        if let condition = query.outcomeCondition { conditions.append(condition) }
        if let kind = query.errorKind {
            conditions.append("error IS NOT NULL AND errorKind = ?")
            arguments.append(kind)
        }
        if let pattern = query.searchPattern {
            conditions.append(
                "(exampleId LIKE ? ESCAPE '\\' OR outputs LIKE ? ESCAPE '\\' OR error LIKE ? ESCAPE '\\')")
            arguments += [pattern, pattern, pattern]
        }
        let filter = conditions.joined(separator: " AND ")
        let order =
            switch query.order {
            case .index: "exampleIndex"
            case .scoreAscending: "score, exampleIndex"
            case .scoreDescending: "score DESC, exampleIndex"
            }
        return try read("read a page of results", runID: runID) { db in
            let total =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM result WHERE \(filter)",
                    arguments: StatementArguments(arguments) ?? []) ?? 0
            let results = try ResultRecord.fetchAll(
                db, sql: "SELECT * FROM result WHERE \(filter) ORDER BY \(order) LIMIT ? OFFSET ?",
                arguments: (StatementArguments(arguments) ?? []) + [max(0, query.limit), max(0, query.offset)])
            return ResultPage(results: results, total: total)
        }
    }

    /// How many of run `runID`'s results failed with each kind of error, most frequent first.
    public func errorKindCounts(runID: Int64) throws -> [(kind: String, count: Int)] {
        try read("count the kinds of errors", runID: runID) { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT errorKind, COUNT(*) AS n FROM result WHERE runId = ? AND error IS NOT NULL
                    GROUP BY errorKind ORDER BY n DESC, errorKind
                    """, arguments: [runID]
            ).map { (kind: $0["errorKind"] ?? "error", count: $0["n"]) }
        }
    }

    /// The results of run `runID` for these example ids, by id (for comparing runs a page at a time).
    public func results(runID: Int64, exampleIDs: [String]) throws -> [String: ResultRecord] {
        guard !exampleIDs.isEmpty else { return [:] }
        return try read("read results by id", runID: runID) { db in
            let records = try ResultRecord.filter(Column("runId") == runID && exampleIDs.contains(Column("exampleId")))
                .fetchAll(db)
            return Dictionary(records.map { ($0.exampleId, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }
}

extension SQLiteStore {
    /// A page of run `runID`'s results side by side with run `otherID`'s for the same examples (in dataset order),
    /// and how many pairs match. A pair is flipped when one run passed (no error, score of 1 or more) and the other
    /// did not.
    ///
    /// - Parameter flippedOnly: Only flipped pairs.
    public func comparedResults(
        runID: Int64, with otherID: Int64, flippedOnly: Bool, offset: Int, limit: Int
    ) throws -> (pairs: [(ResultRecord, ResultRecord)], total: Int) {
        let passedA = "(a.error IS NULL AND a.score >= 1)"
        let passedB = "(b.error IS NULL AND b.score >= 1)"
        let filter =
            "a.runId = ? AND b.runId = ? AND b.exampleId = a.exampleId"
            + (flippedOnly ? " AND \(passedA) != \(passedB)" : "")
        return try read("compare two runs", runID: runID) { db in
            let total =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM result a JOIN result b ON \(filter)", arguments: [runID, otherID])
                ?? 0
            let left = try ResultRecord.fetchAll(
                db,
                sql: "SELECT a.* FROM result a JOIN result b ON \(filter) ORDER BY a.exampleIndex LIMIT ? OFFSET ?",
                arguments: [runID, otherID, max(0, limit), max(0, offset)])
            let ids = left.map(\.exampleId)
            let right = try ResultRecord.filter(Column("runId") == otherID && ids.contains(Column("exampleId")))
                .fetchAll(db)
            let byID = Dictionary(right.map { ($0.exampleId, $0) }, uniquingKeysWith: { first, _ in first })
            return (left.compactMap { record in byID[record.exampleId].map { (record, $0) } }, total)
        }
    }
}
