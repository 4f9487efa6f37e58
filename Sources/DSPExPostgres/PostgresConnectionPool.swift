import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// A few open connections to one PostgreSQL server, lent to one statement at a time; a closed one is dropped and
/// replaced on the next use.
///
/// postgres-nio's own `PostgresClient` pools connections too, but it runs only inside a task that calls its `run()`
/// for the client's whole life, which a ``PostgresStore`` (a value any code may hold, like a SQLite store) cannot
/// give it; and its lease waits are cancellable, while a store's writes must commit even when the calling task is
/// cancelled. This pool is what remains: connections made with `PostgresConnection.connect`, statements run through
/// their future-based API (which a cancelled task still waits for), and waiters served in order.
final class PostgresConnectionPool: Sendable {
    private struct State {
        var idle: [PostgresConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<PostgresConnection?, Never>] = []
        var closed = false
        var nextID = 1
    }

    private let configuration: PostgresConnection.Configuration
    private let maximumConnections: Int
    private let state = Mutex(State())
    private let logger = Logger(label: "DSPEx.PostgresStore", factory: { _ in SwiftLogNoOpLogHandler() })

    init(configuration: PostgresConnection.Configuration, maximumConnections: Int) {
        self.configuration = configuration
        self.maximumConnections = max(1, maximumConnections)
    }

    deinit {
        let connections = state.withLock { state in
            defer { state.idle = [] }
            return state.idle
        }
        // A connection must be closed before it is released: each stays alive until its close completes.
        for connection in connections { connection.close().whenComplete { _ in withExtendedLifetime(connection) {} } }
    }

    /// Runs `query` on a lent connection and collects its rows; waits for the server even when the calling task is
    /// cancelled, so a write that was sent is always known to have committed or failed.
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let connection = try await lend()
        do {
            let result = try await connection.query(query, logger: logger).get()
            giveBack(connection)
            return result.rows
        } catch {
            giveBack(connection)
            throw error
        }
    }

    /// Runs `statements` in one transaction on one connection (rolled back if one fails).
    func transaction(_ statements: [PostgresQuery]) async throws -> [[PostgresRow]] {
        let connection = try await lend()
        do {
            _ = try await connection.query("BEGIN", logger: logger).get()
            var results: [[PostgresRow]] = []
            for statement in statements {
                results.append(try await connection.query(statement, logger: logger).get().rows)
            }
            _ = try await connection.query("COMMIT", logger: logger).get()
            giveBack(connection)
            return results
        } catch {
            if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger).get() }
            giveBack(connection)
            throw error
        }
    }

    /// Closes every connection; later statements fail.
    func close() async {
        let (connections, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        for connection in connections { try? await connection.close().get() }
    }

    private enum Lending {
        case connection(PostgresConnection)
        case connect(id: Int)
        case wait
        case closed
    }

    private func lend() async throws -> PostgresConnection {
        while true {
            let lending = state.withLock { state -> Lending in
                if state.closed { return .closed }
                while let connection = state.idle.popLast() {
                    if !connection.isClosed { return .connection(connection) }
                    state.open -= 1
                    connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
                }
                guard state.open < maximumConnections else { return .wait }
                state.open += 1
                state.nextID += 1
                return .connect(id: state.nextID)
            }
            switch lending {
            case .connection(let connection): return connection
            case .closed: throw PostgresPoolClosed()
            case .connect(let id):
                do {
                    return try await PostgresConnection.connect(
                        on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: id,
                        logger: logger
                    ).get()
                } catch {
                    connectionGone()
                    throw error
                }
            case .wait:
                let handed = await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Bool in
                        if state.closed || !state.idle.isEmpty || state.open < maximumConnections { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if ready { continuation.resume(returning: nil) }
                }
                if let handed { return handed }
            // Woken without a connection: a slot or an idle connection may be free; look again.
            }
        }
    }

    /// Returns a lent connection: to the first waiter, else to the idle ones; a closed one frees its slot.
    private func giveBack(_ connection: PostgresConnection) {
        if connection.isClosed {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
            connectionGone()
            return
        }
        let waiter = state.withLock { state -> CheckedContinuation<PostgresConnection?, Never>? in
            if state.closed {
                state.open -= 1
                return nil
            }
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        if let waiter {
            waiter.resume(returning: connection)
        } else if state.withLock({ $0.closed }) {
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// A connection (or an attempt to make one) is gone: its slot goes to the first waiter, who connects anew.
    private func connectionGone() {
        let waiter = state.withLock { state -> CheckedContinuation<PostgresConnection?, Never>? in
            state.open -= 1
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume(returning: nil)
    }
}

/// A statement was run on a closed ``PostgresConnectionPool``.
struct PostgresPoolClosed: Error, CustomStringConvertible {
    var description: String { "the store was closed" }
}
