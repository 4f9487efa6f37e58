import GRDB

/// A store operation that failed, saying which operation, on which run, in which file.
///
/// SQLite errors from GRDB are wrapped with that context; the underlying SQLite message and
/// result code are kept. The store holds runs, results, cached replies and programs only: API keys
/// and other secrets are never written to it, and statement arguments are never copied into an
/// error, so a `StoreError` is safe to print and log.
///
/// ```swift
/// do { _ = try SQLiteStore(path: "notes.txt") } catch let error as StoreError {
///     print(error)  // could not open the store at notes.txt: file is not a database (SQLite error 26)
/// }
/// ```
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The file could not be created or opened as a DSPEx store (missing permission, not SQLite, corrupt).
        public static let cannotOpen = Code(name: "cannot_open")
        /// The schema could not be brought up to date.
        public static let migration = Code(name: "migration")
        /// Reading from the store failed.
        public static let read = Code(name: "read")
        /// Writing to the store failed.
        public static let write = Code(name: "write")
        /// Another process held the database locked for longer than the busy timeout.
        public static let busy = Code(name: "busy")
        /// The record asked for does not exist (an unknown run id).
        public static let notFound = Code(name: "not_found")
        /// A stored value could not be encoded or decoded (a cached reply that is not valid JSON).
        public static let invalidData = Code(name: "invalid_data")
        /// The store, batcher or cache was closed before the operation.
        public static let closed = Code(name: "closed")
    }

    /// The kind of failure.
    public var code: Code
    /// One sentence saying what failed and why, naming the run when there is one.
    public var message: String
    /// The store's file.
    public var path: String
    /// SQLite's extended result code, when SQLite reported the failure.
    public var sqliteCode: Int32?

    /// Creates an error.
    public init(code: Code, message: String, path: String, sqliteCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.sqliteCode = sqliteCode
    }

    /// Wraps any error thrown while doing `operation` (a verb phrase: "insert 256 results").
    ///
    /// A GRDB `DatabaseError` keeps its SQLite message and code but never its statement arguments.
    static func wrapping(
        _ error: any Error, code: Code, operation: String, runID: Int64? = nil, path: String
    ) -> StoreError {
        if let error = error as? StoreError { return error }
        let run = runID.map { " for run \($0)" } ?? ""
        if let error = error as? DatabaseError {
            let busy = error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
            let reason = error.message ?? "SQLite error"
            return StoreError(
                code: busy ? .busy : code,
                message:
                    "could not \(operation)\(run) in \(path): \(reason) (SQLite error \(error.extendedResultCode.rawValue))",
                path: path, sqliteCode: error.extendedResultCode.rawValue)
        }
        return StoreError(code: code, message: "could not \(operation)\(run) in \(path): \(error)", path: path)
    }

    public var description: String { message }
}
