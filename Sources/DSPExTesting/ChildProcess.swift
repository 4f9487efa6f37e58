@_exported import DSPExProcess
import Foundation
import Synchronization

/// Runs a program (the `dspex` binary, a script) as a child process, as a user would, and waits for it without
/// blocking a thread of the cooperative pool that other tests — and in-process simulators — need.
///
/// ```swift
/// let output = try await ChildProcess.run(ChildProcess.dspex, ["--version"])
/// #expect(output.status == 0)
/// ```
public enum ChildProcess {
    /// What the child printed and how it exited.
    public struct Output: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var stdout: String
        /// Standard error.
        public var stderr: String
    }

    /// The `dspex` binary built next to the test bundle.
    public static var dspex: URL { built("dspex") }

    /// The example MCP server (`dspex-mcp-example`) built next to the test bundle.
    public static var mcpExample: URL { built("dspex-mcp-example") }

    /// The executable product `name` built next to the test bundle.
    public static func built(_ name: String) -> URL {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundle, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return bundle.appendingPathComponent(name)
    }

    /// Runs `executable` with `arguments` in `directory`, with this process's environment changed by `environment`;
    /// terminates it after `timeout` seconds.
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:],
        timeout: Double = 120
    ) async throws -> Output {
        let child = try SpawnedProcess.start(executable, arguments, in: directory, environment: environment)
        let status: Int32
        switch await child.wait(timeout: timeout) {
        case .exited(let code): status = code
        case .signalled(let signal): status = 128 + signal
        }
        return Output(status: status, stdout: child.stdout, stderr: child.stderr)
    }
}
