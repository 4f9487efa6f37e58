import Foundation
import GRDB

extension SQLiteStore {
    /// Saves a program's JSON under `name`, optionally linked to the run that produced it.
    ///
    /// - Returns: The inserted record, with its ``ProgramRecord/id``.
    @discardableResult
    public func saveProgram(name: String, json: String, runID: Int64? = nil) throws -> ProgramRecord {
        try write("save program '\(name)'", runID: runID) { db in
            var record = ProgramRecord(runId: runID, name: name, json: json)
            try record.insert(db)
            return record
        }
    }

    /// The programs saved by run `runID` (every program when `nil`), oldest first.
    public func programs(runID: Int64? = nil) throws -> [ProgramRecord] {
        try read("list programs", runID: runID) { db in
            var request = ProgramRecord.order(Column("createdAt"), Column("id"))
            if let runID { request = request.filter(Column("runId") == runID) }
            return try request.fetchAll(db)
        }
    }

    /// The most recently saved program named `name`, or `nil`.
    public func program(named name: String) throws -> ProgramRecord? {
        try read("find program '\(name)'") { db in
            try ProgramRecord.filter(Column("name") == name).order(Column("createdAt").desc, Column("id").desc)
                .fetchOne(db)
        }
    }
}
