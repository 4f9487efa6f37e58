import Foundation
import GRDB

/// A saved program (its predictors' instructions and demos as JSON): a row of the `program` table.
///
/// ```swift
/// let saved = try store.saveProgram(name: "arith-best", json: state.jsonString(), runID: compileRunID)
/// let programs = try store.programs(runID: compileRunID)
/// ```
public struct ProgramRecord: Sendable, Hashable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "program"

    /// The row id, assigned on insert.
    public var id: Int64?
    /// The run that produced it (a compile run), if any; cleared if that run is deleted.
    public var runId: Int64?
    /// A name to find it by.
    public var name: String
    /// The program's state as JSON text, in DSPy's saved-program layout.
    public var json: String
    /// When it was saved.
    public var createdAt: Date

    /// Creates a program record.
    public init(id: Int64? = nil, runId: Int64? = nil, name: String, json: String, createdAt: Date = Date()) {
        self.id = id
        self.runId = runId
        self.name = name
        self.json = json
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
