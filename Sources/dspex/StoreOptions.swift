import ArgumentParser
import DSPEx
import Foundation

/// `--store PATH`: the SQLite file holding runs, results, the LM cache and programs.
struct StoreOptions: ParsableArguments {
    @Option(help: "The SQLite store (default: .dspex/dspex.sqlite in the working directory).")
    var store: String?

    var path: String { store ?? FileManager.default.currentDirectoryPath + "/.dspex/dspex.sqlite" }

    func open() throws -> Store { try Store(path: path) }
}
