import DSPExTesting
import Foundation

/// Runs the built `dspex` executable as a child process, as a user would (``ChildProcess`` with the CLI).
enum CLIProcess {
    /// The `dspex` binary next to the test bundle.
    static var executable: URL { ChildProcess.dspex }

    /// Runs `dspex` with `arguments` and waits (at most `timeout` seconds) for it to exit.
    static func run(_ arguments: [String], timeout: Double = 90) async throws -> ChildProcess.Output {
        try await ChildProcess.run(ChildProcess.dspex, arguments, timeout: timeout)
    }

    /// Starts `dspex` with `arguments` without waiting for it.
    static func start(_ arguments: [String]) throws -> SpawnedProcess {
        try SpawnedProcess.start(ChildProcess.dspex, arguments)
    }
}
