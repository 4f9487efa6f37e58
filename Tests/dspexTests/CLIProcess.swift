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

    /// Starts `process` (if not running) and waits for it to exit without blocking a thread; terminates it
    /// after `timeout` seconds.
    static func waitForExit(_ process: Process, timeout: Double, start: Bool = true) async throws {
        try await ChildProcess.waitForExit(process, timeout: timeout, start: start)
    }
}
