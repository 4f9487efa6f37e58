import DSPEx
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A ``Store`` in a PostgreSQL database, shared by every process and machine that opens it: the same tables as
/// ``SQLiteStore`` with the same guarantees (a result a method has returned for is committed; no secret is ever
/// stored), so runs, results, the compile journal, programs and the LM cache are common to all of them.
///
/// Every statement runs on its own (a batch is one statement, so it commits or fails whole) and waits for the
/// server even when the calling task is cancelled: a flush started by a Ctrl-C still commits. A statement that
/// fails because the connection was lost (the server restarted, the network dropped) is sent again on a new
/// connection for up to ``retryWindow``; every write is idempotent (an upsert keyed as in SQLite), so sending one
/// twice changes nothing.
///
/// ```swift
/// let store = try await PostgresStore.open(url: "postgresql://dspex@127.0.0.1:54329/dspex")
/// let run = try await store.createRun(
///     name: "arith-1", kind: RunRecord.Kind.eval, pipeline: "pipelines/arithmetic.yaml",
///     pipelineHash: "p1", datasetHash: "d1", config: "{}", plan: nil)
/// await store.close()
/// ```
///
/// The password comes from `PGPASSWORD` or a `.pgpass` file (``PostgresPassFile``), never from the URL.
public final class PostgresStore: Store {
    /// How long a statement is retried while the server cannot be reached.
    public static let retryWindow: Duration = .seconds(60)

    /// The database (without a password).
    public let url: PostgresURL
    /// The database's URL, as ``Store/location``.
    public var location: String { url.description }
    /// A PostgreSQL store is shared: other processes write to it while this one runs.
    public var isShared: Bool { true }
    let pool: PostgresConnectionPool

    private init(url: PostgresURL, pool: PostgresConnectionPool) {
        self.url = url
        self.pool = pool
    }

    /// Opens the store at `url` (`postgresql://user@host:port/database`), with the password from `PGPASSWORD` or a
    /// `.pgpass` file, and brings its schema up to date.
    ///
    /// - Throws: ``StoreError``: ``StoreError/Code/cannotOpen`` for a bad URL or a server that refuses the
    ///   connection, ``StoreError/Code/migration`` when the schema cannot be brought up to date.
    public static func open(url text: String, maximumConnections: Int = 8) async throws -> PostgresStore {
        let url = try PostgresURL(text)
        return try await open(
            url, password: PostgresPassFile.password(for: url), maximumConnections: maximumConnections)
    }

    /// Opens the store at `url` with `password`, and brings its schema up to date.
    public static func open(
        _ url: PostgresURL, password: String?, maximumConnections: Int = 8
    ) async throws -> PostgresStore {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch url.tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw StoreError(
                code: .cannotOpen, message: "could not set up TLS for the store at \(url): \(error)",
                path: url.description)
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: password, database: url.database, tls: tls)
        configuration.options.additionalStartupParameters = [
            ("search_path", url.schema), ("TimeZone", "UTC"), ("application_name", "dspex"),
        ]
        let store = PostgresStore(
            url: url, pool: PostgresConnectionPool(configuration: configuration, maximumConnections: maximumConnections)
        )
        do {
            try await store.migrate()
        } catch let error as StoreError {
            await store.close()
            throw error
        }
        return store
    }

    /// Closes the store's connections; later calls fail with ``StoreError/Code/closed``.
    public func close() async { await pool.close() }

    // MARK: - Running statements with context

    /// Runs `query`, sending it again on a new connection while the server cannot be reached (for up to
    /// ``retryWindow``), and turns a failure into a ``StoreError`` that names `operation`.
    func rows(
        _ operation: @autoclosure () -> String, code: StoreError.Code = .read, runID: Int64? = nil,
        _ query: PostgresQuery
    ) async throws -> [PostgresRow] {
        try await retrying(operation(), code: code, runID: runID) { try await pool.query(query) }
    }

    /// Runs `statements` in one transaction, retried like ``rows(_:code:runID:_:)``.
    func transaction(
        _ operation: @autoclosure () -> String, code: StoreError.Code = .write, _ statements: [PostgresQuery]
    ) async throws -> [[PostgresRow]] {
        try await retrying(operation(), code: code, runID: nil) { try await pool.transaction(statements) }
    }

    /// The records `query` returns, one JSON text per row (see ``PostgresTableShape/json(_:)``).
    func records<Record: Decodable>(
        _ type: Record.Type, _ operation: @autoclosure () -> String, runID: Int64? = nil, _ query: PostgresQuery
    ) async throws -> [Record] {
        let operation = operation()
        let rows = try await rows(operation, runID: runID, query)
        let decoder = Self.decoder
        return try rows.map { row in
            do {
                let text = try row.decode(String.self)
                return try decoder.decode(Record.self, from: Data(text.utf8))
            } catch {
                throw StoreError(
                    code: .invalidData, message: "could not \(operation)\(Self.runPhrase(runID)) in \(url): \(error)",
                    path: url.description)
            }
        }
    }

    /// The single value of the first row `query` returns.
    func value<Value: PostgresDecodable>(
        _ type: Value.Type, _ operation: @autoclosure () -> String, runID: Int64? = nil, _ query: PostgresQuery
    ) async throws -> Value? {
        let operation = operation()
        guard let row = try await rows(operation, runID: runID, query).first else { return nil }
        do {
            return try row.decode(Value.self)
        } catch {
            throw StoreError(
                code: .invalidData, message: "could not \(operation)\(Self.runPhrase(runID)) in \(url): \(error)",
                path: url.description)
        }
    }

    /// `records` as a JSON array, for a statement reading it with `jsonb_to_recordset`.
    func json<Record: Encodable>(_ records: [Record], what: String) throws -> String {
        do {
            return String(decoding: try Self.encoder.encode(records), as: UTF8.self)
        } catch {
            throw StoreError(
                code: .invalidData, message: "could not encode \(what) as JSON: \(error)", path: url.description)
        }
    }

    /// Runs `body`, again on a new connection while the server cannot be reached (for up to `window`).
    ///
    /// - Parameter opening: Whether this opens the store: then a server that cannot be reached, refuses the
    ///   password or lacks the database is ``StoreError/Code/cannotOpen``.
    func retrying<T>(
        _ operation: @autoclosure () -> String, code: StoreError.Code, runID: Int64?,
        window: Duration = PostgresStore.retryWindow, opening: Bool = false, _ body: () async throws -> T
    ) async throws -> T {
        let clock = ContinuousClock()
        let deadline = clock.now + window
        var delay = Duration.milliseconds(50)
        while true {
            do {
                return try await body()
            } catch let error where Self.isConnectionLoss(error) && clock.now < deadline {
                // Wait without regard to cancellation: a cancelled run's last flush must still get through.
                let milliseconds =
                    delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
                try? await MultiThreadedEventLoopGroup.singleton.any()
                    .scheduleTask(in: .milliseconds(milliseconds)) {}.futureResult.get()
                delay = min(delay * 2, .seconds(1))
            } catch {
                let refused = opening && (Self.isConnectionLoss(error) || Self.isRefusal(error))
                throw storeError(error, code: refused ? .cannotOpen : code, operation: operation(), runID: runID)
            }
        }
    }

    /// Whether `error` means the connection was lost or could not be made (worth trying again), rather than that
    /// the statement failed.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection: return true
            case .server:
                let state = error.serverInfo?[.sqlState] ?? ""
                // 08…: connection exceptions; 57P01–57P03: the server shutting down or starting up.
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
            default: return false
            }
        }
        return error is ChannelError || error is IOError || error is NIOConnectionError
    }

    /// Whether the server refused the connection: a wrong password or role (SQLSTATE 28…), no such database (3D000).
    static func isRefusal(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        if error.code == .authMechanismRequiresPassword || error.code == .saslError { return true }
        let state = error.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("28") || state == "3D000"
    }

    func storeError(_ error: any Error, code: StoreError.Code, operation: String, runID: Int64?) -> StoreError {
        if let error = error as? StoreError { return error }
        if error is PostgresPoolClosed {
            return StoreError(
                code: .closed, message: "could not \(operation)\(Self.runPhrase(runID)): the store \(url) is closed",
                path: url.description)
        }
        let reason: String
        if let error = error as? PSQLError {
            // The server's message and SQLSTATE; never the statement's arguments.
            if let message = error.serverInfo?[.message] {
                let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
                reason = "\(message)\(detail) (PostgreSQL error \(error.serverInfo?[.sqlState] ?? "?"))"
            } else if let underlying = error.underlying {
                reason = "\(error.code): \(underlying)"
            } else {
                reason = "\(error.code)"
            }
        } else {
            reason = "\(error)"
        }
        return StoreError(
            code: code, message: "could not \(operation)\(Self.runPhrase(runID)) in \(url): \(reason)",
            path: url.description)
    }

    static func runPhrase(_ runID: Int64?) -> String { runID.map { " for run \($0)" } ?? "" }

    /// Encodes records for ``PostgresTableShape``'s statements: dates as seconds since 1970, bytes as base64.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    /// Decodes records from ``PostgresTableShape/json(_:)``'s text.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}
