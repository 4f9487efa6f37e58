import Foundation
import GRDB
import Synchronization

/// The SQLite file that checkpoints runs: runs, per-example results, the LM cache and saved programs.
///
/// Use one `Store` per file and process and share it between tasks (it is `Sendable`). It is a GRDB
/// `DatabasePool` in WAL mode on the system SQLite: reads run concurrently with the single writer,
/// and a second process may open the same file (writers wait up to ``busyTimeout`` for each other).
/// A killed process loses nothing it committed; what a power cut may lose is the ``Durability`` chosen.
/// No API key or other secret is ever written to a store.
///
/// ```swift
/// let store = try SQLiteStore(path: SQLiteStore.defaultPath(in: FileManager.default.currentDirectoryPath))
/// let run = try store.createRun(
///     name: "arith-1", kind: RunRecord.Kind.eval, pipeline: "pipelines/arithmetic.yaml",
///     pipelineHash: "p1", datasetHash: "d1", config: "{}")
/// try store.insertResults(records)
/// let done = try store.completedExampleIDs(runID: run.id!)
/// ```
///
/// Every method throws ``StoreError``, naming the operation, the run and the file.
public final class SQLiteStore: Store {
    /// How long a write waits for another process's lock before failing with ``StoreError/Code/busy``.
    public static let busyTimeout: TimeInterval = 10

    /// What a commit survives.
    public struct Durability: Sendable, Hashable, CustomStringConvertible {
        let synchronous: String
        public var description: String { synchronous == "FULL" ? "power-loss" : "process" }

        /// A commit survives the death of the process (SIGKILL, a crash): it is in the operating system's page
        /// cache when it returns. A power cut or kernel crash may lose the last commits (SQLite's
        /// `synchronous = NORMAL` in WAL mode: the WAL is synced at checkpoints). The default.
        public static let process = Durability(synchronous: "NORMAL")
        /// A commit also survives a power cut: the WAL is synced to the disk at every commit (`synchronous =
        /// FULL`), which costs a disk flush per commit.
        public static let powerLoss = Durability(synchronous: "FULL")
    }

    /// The store's file.
    public let path: String
    /// The store's file, as ``Store/location``.
    public var location: String { path }
    /// What a commit survives.
    public let durability: Durability
    let pool: DatabasePool
    /// The folder to delete with the store, for ``temporary()``.
    private let temporaryDirectory: String?
    private let removed = Mutex(false)

    /// `.dspex/dspex.sqlite` under `directory` (normally the working directory).
    public static func defaultPath(in directory: String) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(".dspex/dspex.sqlite").path
    }

    /// Opens the store at `path`, creating the file and its parent folders if needed, and brings its
    /// schema up to date.
    ///
    /// - Parameters:
    ///   - path: The SQLite file; see ``defaultPath(in:)``.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/cannotOpen`` when the folder cannot be
    ///   created or the file is not a SQLite database, ``StoreError/Code/migration`` when the schema
    ///   cannot be migrated.
    ///   - durability: What a commit survives (``Durability/process`` by default).
    public convenience init(path: String, durability: Durability = .process) throws {
        try self.init(path: path, temporaryDirectory: nil, durability: durability)
    }

    private init(path: String, temporaryDirectory: String?, durability: Durability = .process) throws {
        self.path = path
        self.durability = durability
        self.temporaryDirectory = temporaryDirectory
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                code: .cannotOpen,
                message: "could not create the folder \(parent) for the store at \(path): "
                    + "\(error.localizedDescription)", path: path)
        }
        var configuration = Configuration()
        configuration.label = "DSPEx.Store"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.synchronous)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.openError(error, path: path)
        }
        do {
            // Another process opening the same new store may apply a migration between our reading of the
            // applied ones and our applying it ("table … already exists", or the migration's own record
            // already there): our transaction is rolled back; read them again and go on.
            var attempt = 1
            while true {
                do {
                    try Self.migrator.migrate(pool)
                    break
                } catch let error as DatabaseError where attempt < 8 && Self.isConcurrentMigration(error) {
                    attempt += 1
                }
            }
        } catch let error as DatabaseError
            where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
        {
            throw Self.openError(error, path: path)
        } catch {
            throw StoreError.wrapping(error, code: .migration, operation: "migrate the schema", path: path)
        }
    }

    /// Whether a migration failed because another process applied it meanwhile.
    private static func isConcurrentMigration(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_ERROR
            || (error.resultCode == .SQLITE_CONSTRAINT && error.message?.contains("grdb_migrations") == true)
    }

    private static func openError(_ error: any Error, path: String) -> StoreError {
        let reason = (error as? DatabaseError)?.message ?? "\(error)"
        let code = (error as? DatabaseError)?.extendedResultCode.rawValue
        return StoreError(
            code: .cannotOpen,
            message: "could not open the store at \(path): \(reason)"
                + (code.map { " (SQLite error \($0))" } ?? ""), path: path, sqliteCode: code)
    }

    /// A store in a new temporary folder, deleted with the store (or by ``remove()``): for tests.
    public static func temporary() throws -> SQLiteStore {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dspex-store-\(UUID().uuidString)").path
        return try SQLiteStore(path: directory + "/dspex.sqlite", temporaryDirectory: directory)
    }

    /// Closes a ``temporary()`` store and deletes its folder; later calls fail with ``StoreError/Code/closed``.
    /// Does nothing for a store opened with ``init(path:)``.
    public func remove() throws {
        guard let temporaryDirectory else { return }
        let first = removed.withLock { removed in
            defer { removed = true }
            return !removed
        }
        guard first else { return }
        do { try pool.close() } catch { /* files are deleted anyway: nothing is kept */  }
        try? FileManager.default.removeItem(atPath: temporaryDirectory)
    }

    deinit {
        if let temporaryDirectory, !removed.withLock({ $0 }) {
            try? pool.close()
            try? FileManager.default.removeItem(atPath: temporaryDirectory)
        }
    }

    // MARK: - Running operations with context

    /// Reads with `body`, turning any failure into a ``StoreError`` that names `operation`.
    func read<T>(_ operation: @autoclosure () -> String, runID: Int64? = nil, _ body: (Database) throws -> T) throws
        -> T
    {
        do {
            return try pool.read(body)
        } catch {
            throw StoreError.wrapping(error, code: .read, operation: operation(), runID: runID, path: path)
        }
    }

    /// Writes in one transaction with `body`, turning any failure into a ``StoreError`` that names `operation`.
    func write<T>(_ operation: @autoclosure () -> String, runID: Int64? = nil, _ body: (Database) throws -> T) throws
        -> T
    {
        do {
            return try pool.write(body)
        } catch {
            throw StoreError.wrapping(error, code: .write, operation: operation(), runID: runID, path: path)
        }
    }

    /// Writes in one transaction on GRDB's writer queue without blocking the calling thread.
    ///
    /// Unlike GRDB's `async` `write`, this ignores task cancellation: a flush started by a cancelled
    /// run (Ctrl-C) still commits what it took.
    func asyncWrite<T: Sendable>(
        _ operation: @autoclosure () -> String, runID: Int64? = nil, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            pool.asyncWrite(body) { _, result in continuation.resume(returning: result) }
        }
        do {
            return try result.get()
        } catch {
            throw StoreError.wrapping(error, code: .write, operation: operation(), runID: runID, path: path)
        }
    }
}
