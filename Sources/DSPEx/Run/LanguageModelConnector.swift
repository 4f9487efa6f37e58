/// Connects a run to its model: gives the body a client for the run's resolved ``LMSettings`` and shuts it down
/// afterwards.
///
/// ``HTTPLanguageModelConnector`` talks to any OpenAI-compatible server; the `dspex` CLI's connector also starts
/// the built-in simulator for runs that use it (the library does not depend on the simulator).
public protocol LanguageModelConnector: Sendable {
    /// Runs `body` with a model for `settings`, answering repeated requests from `cache` when given.
    ///
    /// - Parameters:
    ///   - settings: The run's model settings (flags over file over defaults).
    ///   - simulator: The simulator's options, for settings that use it.
    ///   - cache: The run's LM cache, or `nil` for none.
    func withLanguageModel<R: Sendable>(
        _ settings: LMSettings, simulator: SimulatorOptions, cache: (any LMCache)?,
        _ body: (any LanguageModel) async throws -> R
    ) async throws -> R
}

/// Connects runs to an OpenAI-compatible server over HTTP.
public struct HTTPLanguageModelConnector: LanguageModelConnector {
    /// The HTTP client used.
    public var transport: OpenAICompatibleLM.Transport

    /// Creates a connector.
    public init(transport: OpenAICompatibleLM.Transport = .automatic) {
        self.transport = transport
    }

    /// Runs `body` with a client for `settings` at its base URL.
    ///
    /// - Throws: ``RunError`` with ``RunError/Code/needsSimulator`` when the settings use the simulator.
    public func withLanguageModel<R: Sendable>(
        _ settings: LMSettings, simulator: SimulatorOptions, cache: (any LMCache)?,
        _ body: (any LanguageModel) async throws -> R
    ) async throws -> R {
        guard !settings.usesSimulator, let baseURL = settings.baseURL else {
            throw RunError(
                code: .needsSimulator,
                message: "the run uses the built-in simulator, which this connector cannot start; give a model and "
                    + "base URL, or run it with the dspex CLI")
        }
        return try await withClient(settings, baseURL: baseURL, cache: cache, body)
    }

    /// Runs `body` with a client for `settings` at `baseURL` (e.g. a simulator the caller started), shut down
    /// afterwards whatever happens.
    public func withClient<R: Sendable>(
        _ settings: LMSettings, baseURL: String, model: String? = nil, cache: (any LMCache)?,
        _ body: (any LanguageModel) async throws -> R
    ) async throws -> R {
        let client = OpenAICompatibleLM(
            settings.clientConfiguration(baseURL: baseURL, model: model, cache: cache, transport: transport))
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
