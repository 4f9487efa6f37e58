import Foundation
import GRDB

/// One recorded decision or proposal of a compile run: a row of the `compileStep` table, keyed by
/// (`runId`, `key`).
///
/// Keys name what was decided — `summary`, `propose/solve/2`, `trial/0007`, `candidate/demos/3` — and the value
/// is JSON. A resumed compile run reads these back instead of asking a model again.
///
/// ```swift
/// try store.saveCompileStep(CompileStepRecord(runId: id, key: "summary", value: #""Additions of integers""#))
/// ```
public struct CompileStepRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "compileStep"

    /// The compile run.
    public var runId: Int64
    /// What the step is, unique within the run.
    public var key: String
    /// The step's outcome as JSON text.
    public var value: String
    /// When it was recorded.
    public var createdAt: Date

    /// Creates a step record.
    public init(runId: Int64, key: String, value: String, createdAt: Date = Date()) {
        self.runId = runId
        self.key = key
        self.value = value
        self.createdAt = createdAt
    }
}
