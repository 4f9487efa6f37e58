import DSPEx
@_exported import DSPExSim

/// Starts the simulator on a free loopback port and a real HTTP client for it, runs `body`, and
/// always shuts both down — the offline stand-in for a provider in tests and demos.
///
/// ```swift
/// try await withSimulatedLM { lm, server in
///     let prediction = try await Predict("question -> answer", lm: lm)(["question": "What is 2 + 3?"])
///     #expect(server.stats().requests == 1)
/// }
/// ```
///
/// - Parameters:
///   - simulator: The simulator's options (latency, faults, seed).
///   - configure: Adjusts the client's configuration (retries, timeout, cache); model and base URL are set.
///   - body: The work to do.
public func withSimulatedLM<R: Sendable>(
    _ simulator: SimulatorConfiguration = SimulatorConfiguration(),
    configure: (inout OpenAICompatibleLM.Configuration) -> Void = { _ in },
    _ body: (OpenAICompatibleLM, SimulatorServer) async throws -> R
) async throws -> R {
    var quiet = simulator
    quiet.logger.logLevel = .warning
    return try await withSimulator(quiet) { server in
        var configuration = OpenAICompatibleLM.Configuration(
            model: server.configuration.modelName, baseURL: server.baseURL, apiKeyEnvironmentVariable: nil)
        configure(&configuration)
        let lm = OpenAICompatibleLM(configuration)
        do {
            let result = try await body(lm, server)
            try await lm.shutdown()
            return result
        } catch {
            try? await lm.shutdown()
            throw error
        }
    }
}
