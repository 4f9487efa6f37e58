import ArgumentParser
import DSPEx
import DSPExSim
import Foundation
import Logging

/// The options that choose and tune the language model, shared by every command that calls one.
struct LanguageModelOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The model: 'sim' for the built-in simulator, or a model name such as 'openai/gpt-4o-mini' or 'llama3'.",
            valueName: "sim|MODEL"))
    var lm: String?

    @Option(help: "The OpenAI-compatible API root, e.g. http://127.0.0.1:8000/v1 (default: OpenAI's).")
    var baseURL: String?

    @Option(help: "The environment variable that holds the API key (never stored or logged; default OPENAI_API_KEY).")
    var apiKeyEnv: String?

    @Option(help: "Sampling temperature.")
    var temperature: Double?

    @Option(help: "The most tokens a reply may have (the request's max_tokens).")
    var maxReplyTokens: Int?

    @Option(help: "Seconds one attempt may take before it is retried.")
    var timeout: Double = 120

    @Option(help: "Attempts per call, the first included (retries use exponential backoff with jitter).")
    var maxAttempts: Int = 6

    @Option(help: "The most requests in flight at once (default 64).")
    var maxConcurrency: Int?

    @Flag(help: "Do not answer repeated requests from the cache.")
    var noCache = false

    @Option(help: "With --lm sim: milliseconds of simulated latency per call.")
    var simLatencyMs: Int = 0

    @Option(help: "With --lm sim: the fraction of calls that fail with a retryable fault (500, 429, reset).")
    var simFailRate: Double = 0

    @Option(help: "With --lm sim: the simulator's seed.")
    var simSeed: UInt64 = 0

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        if let maxConcurrency, maxConcurrency < 1 { throw ValidationError("--max-concurrency must be at least 1") }
        guard (0...1).contains(simFailRate) else { throw ValidationError("--sim-fail-rate must be between 0 and 1") }
        if let lm, lm != "sim", lm.hasPrefix("openai/") == false, baseURL == nil {
            throw ValidationError("--lm \(lm) needs --base-url (or use 'openai/MODEL' for OpenAI, or 'sim')")
        }
    }

    /// Runs `body` with the chosen model; `sim` starts the simulator on a free loopback port for the
    /// duration, so the offline path is the same HTTP path as a real provider.
    ///
    /// Flags win over the pipeline file's `lm` section; with neither, the model is the simulator. A file
    /// naming `dspex-sim` (or `sim`) without a `base_url` also means the simulator.
    func withLanguageModel<R: Sendable>(
        file: LMSpec? = nil, cache: (any LMCache)? = nil, _ body: (OpenAICompatibleLM) async throws -> R
    ) async throws -> R {
        let fileWantsSimulator =
            file.map { ($0.model == "sim" || $0.model == "dspex-sim") && $0.baseURL == nil } ?? true
        let lm = self.lm ?? (fileWantsSimulator ? "sim" : file?.model ?? "sim")
        let settings = ClientSettings(
            apiKeyEnv: apiKeyEnv ?? file?.apiKeyEnvironmentVariable ?? "OPENAI_API_KEY",
            temperature: temperature ?? file?.temperature, maxTokens: maxReplyTokens ?? file?.maxTokens,
            maxConcurrency: maxConcurrency ?? file?.maxConcurrency ?? 64,
            requestsPerMinute: file?.requestsPerMinute.map(Double.init),
            tokensPerMinute: file?.tokensPerMinute.map(Double.init),
            cache: noCache ? nil : cache ?? MemoryLMCache())
        if lm == "sim" {
            var configuration = SimulatorConfiguration()
            configuration.latency = .fixed(milliseconds: simLatencyMs)
            configuration.seed = simSeed
            configuration.logger.logLevel = .warning
            // The in-process simulator keeps only a short request log, so memory stays flat on large datasets.
            configuration.requestLogLimit = 1_000
            if simFailRate > 0 {
                configuration.faults = FaultInjection(
                    rate: simFailRate,
                    kinds: [.serverError500: 1, .rateLimited429(retryAfterSeconds: 0.05): 1, .connectionReset: 1])
            }
            return try await withSimulator(configuration) { server in
                try await withClient(
                    baseURL: server.baseURL, model: server.configuration.modelName, settings: settings, body)
            }
        }
        let model = lm.hasPrefix("openai/") ? String(lm.dropFirst("openai/".count)) : lm
        let base = baseURL ?? (self.lm == nil ? file?.baseURL : nil) ?? "https://api.openai.com/v1"
        return try await withClient(baseURL: base, model: model, settings: settings, body)
    }

    /// Client settings merged from flags and the pipeline file.
    private struct ClientSettings {
        var apiKeyEnv: String
        var temperature: Double?
        var maxTokens: Int?
        var maxConcurrency: Int
        var requestsPerMinute: Double?
        var tokensPerMinute: Double?
        var cache: (any LMCache)?
    }

    /// The HTTP client: `DSPEX_HTTP_CLIENT=async-http-client` uses AsyncHTTPClient for `http://` URLs too
    /// (for side-by-side measurements); the default picks by URL scheme.
    private static var transport: OpenAICompatibleLM.Transport {
        ProcessInfo.processInfo.environment["DSPEX_HTTP_CLIENT"].flatMap(OpenAICompatibleLM.Transport.init)
            ?? .automatic
    }

    private func withClient<R: Sendable>(
        baseURL: String, model: String, settings: ClientSettings, _ body: (OpenAICompatibleLM) async throws -> R
    ) async throws -> R {
        let client = OpenAICompatibleLM(
            .init(
                model: model, baseURL: baseURL, apiKeyEnvironmentVariable: settings.apiKeyEnv,
                timeout: .milliseconds(Int(timeout * 1000)), retry: .exponential(maxAttempts: maxAttempts),
                maxConcurrency: settings.maxConcurrency, cache: settings.cache,
                historyLimit: 0,  // no command reads the call history; keeping it costs a copy per call
                defaults: LMOptions(temperature: settings.temperature, maxTokens: settings.maxTokens),
                requestsPerMinute: settings.requestsPerMinute, tokensPerMinute: settings.tokensPerMinute,
                transport: Self.transport))
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
