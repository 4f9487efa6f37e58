import ArgumentParser
import DSPExSim
import Foundation

/// `dspex sim`: the simulated OpenAI-compatible server, for trying DSPEx and testing without a key.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Serve a simulated OpenAI-compatible model on 127.0.0.1 until interrupted.",
        discussion: """
            Endpoints: POST /v1/chat/completions, GET /v1/models, /health, /stats, /requests; POST /reset.
            Point any command at it with --lm openai/dspex-sim --base-url http://127.0.0.1:PORT/v1.
            """)

    @Option(help: "The port (0 picks a free one).")
    var port: Int = 8000

    @Option(help: "Milliseconds of latency per call.")
    var latencyMs: Int = 0

    @Option(help: "The fraction of calls that fail.")
    var failRate: Double = 0

    @Option(
        help: ArgumentHelp(
            "Which faults to inject, comma-separated: 500, 429, reset, noreply, malformed.", valueName: "kinds"))
    var faults: String = "500,429,reset"

    @Option(help: "Seconds a 429 asks the client to wait.")
    var retryAfter: Double = 1

    @Option(help: "The seed for answers, latency and faults.")
    var seed: UInt64 = 0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        _ = try faultKinds()
    }

    func run() async throws {
        var configuration = SimulatorConfiguration()
        configuration.port = port
        configuration.latency = .fixed(milliseconds: latencyMs)
        configuration.seed = seed
        if failRate > 0 {
            configuration.faults = FaultInjection(
                rate: failRate, kinds: Dictionary(uniqueKeysWithValues: try faultKinds().map { ($0, 1.0) }))
        }
        let server = SimulatorServer(configuration: configuration)
        try await server.start()
        Console.line("DSPEx simulator listening on \(server.baseURL) (model \(configuration.modelName))")
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
        try await server.shutdown()
    }

    private func faultKinds() throws -> [FaultKind] {
        try faults.split(separator: ",").map { name -> FaultKind in
            switch name.trimmingCharacters(in: .whitespaces).lowercased() {
            case "500": return .serverError500
            case "429": return .rateLimited429(retryAfterSeconds: retryAfter)
            case "reset": return .connectionReset
            case "noreply": return .noReply
            case "malformed": return .malformedReply
            default:
                throw ValidationError(
                    "--faults: unknown kind '\(name)'; expected 500, 429, reset, noreply or malformed")
            }
        }
    }
}
