import DSPEx
import DSPExSim
import Foundation
import Logging

/// Connects runs to their model, starting the built-in simulator on a free loopback port for runs that use it
/// (the library's ``HTTPLanguageModelConnector`` does the rest).
struct SimulatorConnector: LanguageModelConnector {
    /// The HTTP client: `DSPEX_HTTP_CLIENT=async-http-client` uses AsyncHTTPClient for `http://` URLs too
    /// (for side-by-side measurements); the default picks by URL scheme.
    private static var transport: OpenAICompatibleLM.Transport {
        ProcessInfo.processInfo.environment["DSPEX_HTTP_CLIENT"].flatMap(OpenAICompatibleLM.Transport.init)
            ?? .automatic
    }

    func withLanguageModel<R: Sendable>(
        _ settings: LMSettings, simulator: SimulatorOptions, cache: (any LMCache)?,
        _ body: (any LanguageModel) async throws -> R
    ) async throws -> R {
        let http = HTTPLanguageModelConnector(transport: Self.transport)
        guard settings.usesSimulator else {
            return try await http.withLanguageModel(settings, simulator: simulator, cache: cache, body)
        }
        var configuration = SimulatorConfiguration()
        configuration.latency = .fixed(milliseconds: simulator.latencyMilliseconds)
        configuration.seed = simulator.seed
        configuration.logger.logLevel = .warning
        // The in-process simulator keeps only a short request log, so memory stays flat on large datasets.
        configuration.requestLogLimit = 1_000
        if simulator.failRate > 0 {
            configuration.faults = FaultInjection(
                rate: simulator.failRate,
                kinds: [.serverError500: 1, .rateLimited429(retryAfterSeconds: 0.05): 1, .connectionReset: 1])
        }
        return try await withSimulator(configuration) { server in
            try await http.withClient(
                settings, baseURL: server.baseURL, model: server.configuration.modelName, cache: cache, body)
        }
    }
}
