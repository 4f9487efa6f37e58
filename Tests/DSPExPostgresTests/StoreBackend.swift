import DSPEx
import DSPExPostgres
import Foundation
import Testing

/// The tests that use the test PostgreSQL server, one at a time: one of them restarts the server, and the workers'
/// tests count the requests a kill costs, which a restart under them would change.
@Suite(.serialized)
enum PostgresServerTests {}

/// The store backends the conformance tests run on.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The test server's URL (`DSPEX_TEST_POSTGRES_URL`), or `nil`.
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["DSPEX_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Why the PostgreSQL tests did not run, and how to make them.
    static let noServer =
        "PostgreSQL store tests skipped: DSPEX_TEST_POSTGRES_URL is not set. Start a throwaway server with "
        + "`scripts/postgres.sh start && eval \"$(scripts/postgres.sh env)\"`, then run the tests again"

    /// Whether the PostgreSQL tests may be skipped: not on CI (`CI=true`), where a missing server is a failure.
    static var mayskip: Bool { ProcessInfo.processInfo.environment["CI"] != "true" }

    /// The test server's URL with a schema of its own (`dspex_test_…`), or `nil` after recording why there is
    /// none (a skip message off CI, a failure on CI).
    static func freshPostgresURL() -> String? {
        guard let base = postgresURL else {
            if mayskip {
                print(noServer)
            } else {
                Issue.record("CI=true but \(noServer)")
            }
            return nil
        }
        let schema = "dspex_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// Runs `body` with a new, empty store of this backend, removed afterwards; on PostgreSQL without a test
    /// server, records why and returns without running it.
    func withStore(_ body: (any Store) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let store = try SQLiteStore.temporary()
            defer { try? store.remove() }
            try await body(store)
        case .postgres:
            guard let url = Self.freshPostgresURL() else { return }
            let store = try await PostgresStore.open(url: url)
            do {
                try await body(store)
            } catch {
                await Self.drop(store)
                throw error
            }
            await Self.drop(store)
        }
    }

    /// Runs `body` with a URL of the test server with a schema of its own, dropped afterwards; without a test
    /// server, records why and returns without running it.
    static func withFreshURL(_ body: (String) async throws -> Void) async throws {
        guard let url = freshPostgresURL() else { return }
        do {
            try await body(url)
        } catch {
            await dropSchema(of: url)
            throw error
        }
        await dropSchema(of: url)
    }

    /// Drops the schema of the test store at `url`, if it was made.
    static func dropSchema(of url: String) async {
        if let store = try? await PostgresStore.open(url: url) { await drop(store) }
    }

    /// Drops a test store's schema and closes it.
    static func drop(_ store: PostgresStore) async {
        try? await store.dropSchema()
        await store.close()
    }
}
