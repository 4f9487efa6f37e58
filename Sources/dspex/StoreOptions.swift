import ArgumentParser
import DSPEx
import DSPExPostgres
import Foundation

/// `--store PATH|URL`: where runs, results, the LM cache and programs are kept — a SQLite file, or a PostgreSQL
/// database shared by several processes and machines (`postgresql://user@host:port/database`, its password in
/// `PGPASSWORD` or a `.pgpass` file).
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The store: a SQLite file (default: .dspex/dspex.sqlite in the working directory) or a PostgreSQL URL.",
            discussion:
                "postgresql://user@host:port/database[?sslmode=disable|prefer|require&schema=NAME]; the password comes "
                + "from PGPASSWORD or a .pgpass file (PGPASSFILE or ~/.pgpass), never from the URL.",
            valueName: "path-or-url"))
    var store: String?

    /// The SQLite file, or the PostgreSQL URL, as given.
    var path: String { store ?? FileManager.default.currentDirectoryPath + "/.dspex/dspex.sqlite" }

    /// Whether the store is a PostgreSQL database.
    var isPostgres: Bool { store.map(PostgresURL.isPostgresURL) ?? false }

    /// Opens the store: the SQLite file (created if missing), or the PostgreSQL database.
    func open() async throws -> any Store {
        if isPostgres { return try await PostgresStore.open(url: path) }
        return try SQLiteStore(path: path)
    }

    /// Where background runs write their logs: `logs/` beside a SQLite store, `.dspex/logs/` in the working
    /// directory for a PostgreSQL one.
    var logsFolder: URL {
        let base =
            isPostgres
            ? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".dspex")
            : URL(fileURLWithPath: path).deletingLastPathComponent()
        return base.appendingPathComponent("logs")
    }

    /// ` --store PATH` when a store was given, for the commands a message suggests.
    var suffix: String { store.map { " --store \($0)" } ?? "" }
}

extension StoreOptions {
    /// The stored run called `name` and its id, or a clear error.
    func requireRun(_ name: String, in store: any Store) async throws -> (RunRecord, Int64) {
        guard let record = try await store.run(named: name), let id = record.id else {
            throw EvaluateError(
                code: .unknownRun, message: "there is no run named '\(name)' in \(store.location); see `dspex runs`")
        }
        return (record, id)
    }
}
