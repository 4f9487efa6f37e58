import ArgumentParser
import DSPEx
import Foundation

/// `--store PATH`: the SQLite file holding runs, results, the LM cache and programs.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite store (default: .dspex/dspex.sqlite in the working directory).")
    var store: String?

    var path: String { store ?? FileManager.default.currentDirectoryPath + "/.dspex/dspex.sqlite" }

    func open() throws -> SQLiteStore { try SQLiteStore(path: path) }

    /// ` --store PATH` when a store was given, for the commands a message suggests.
    var suffix: String { store.map { " --store \($0)" } ?? "" }
}

extension StoreOptions {
    /// The stored run called `name` and its id, or a clear error.
    func requireRun(_ name: String, in store: any Store) async throws -> (RunRecord, Int64) {
        guard let record = try await store.run(named: name), let id = record.id else {
            throw EvaluateError(
                code: .unknownRun, message: "there is no run named '\(name)' in \(path); see `dspex runs`")
        }
        return (record, id)
    }
}
