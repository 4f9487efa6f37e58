import ArgumentParser
import DSPEx
import DSPExConsole
import DSPExProcess
import Foundation
import Logging

/// `dspex serve`: the web console of the store's runs (see ``ConsoleServer``).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a web console of the store's runs: live progress, examples with their prompts, plots.",
        discussion: """
            Loopback only unless an access token is given: any other --host needs --token-env, and every request
            (pages, the event stream, actions) must then carry the token (open the console once with ?token=…).
            Example:
              dspex serve
              CONSOLE_TOKEN=$(openssl rand -hex 16) dspex serve --host 0.0.0.0 --token-env CONSOLE_TOKEN
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8600

    @Option(help: "The interface to listen on; anything but loopback needs --token-env.")
    var host = "127.0.0.1"

    @Option(help: "The environment variable holding the access token (16 characters or more).")
    var tokenEnv: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        if let tokenEnv, ProcessInfo.processInfo.environment[tokenEnv]?.isEmpty ?? true {
            throw ValidationError("--token-env \(tokenEnv): the environment variable \(tokenEnv) is not set")
        }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try await storeOptions.open()
            let token = tokenEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
            let server = try ConsoleServer(
                store: store, configuration: .init(host: host, port: port, token: token),
                resumer: resumer(logs: storeOptions.logsFolder))
            var logger = Logger(label: "dspex.console")
            logger.logLevel = .warning
            let host = self.host
            let tokenHint = token == nil ? "" : " (open it once with ?token=<the token>)"
            try await server.application(logger: logger) { port in
                Console.line("console: http://\(host.contains(":") ? "[\(host)]" : host):\(port)/\(tokenHint)")
            }.runService()
        }
    }

    /// Resumes a run in a background `dspex resume NAME`, logging where a detached compile logs.
    func resumer(logs: URL) -> ConsoleServer.Resumer {
        let store = storeOptions.store
        return { name in
            try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
            let arguments = ["resume", name] + (store.map { ["--store", $0] } ?? [])
            _ = try SpawnedProcess.startDetached(
                SpawnedProcess.currentExecutable, arguments, log: logs.appendingPathComponent("\(name).log").path)
        }
    }
}
