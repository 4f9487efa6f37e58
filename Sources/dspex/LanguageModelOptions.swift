import ArgumentParser
import DSPEx
import Foundation

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

    @Option(help: "Seconds one attempt may take before it is retried (default 120).")
    var timeout: Double?

    @Option(help: "Attempts per call, the first included (retries use exponential backoff with jitter; default 6).")
    var maxAttempts: Int?

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
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be positive") }
        if let maxAttempts, maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
        if let maxConcurrency, maxConcurrency < 1 { throw ValidationError("--max-concurrency must be at least 1") }
        guard (0...1).contains(simFailRate) else { throw ValidationError("--sim-fail-rate must be between 0 and 1") }
        if let lm, lm != "sim", lm.hasPrefix("openai/") == false, baseURL == nil {
            throw ValidationError("--lm \(lm) needs --base-url (or use 'openai/MODEL' for OpenAI, or 'sim')")
        }
    }

    /// The model settings given as flags: each one wins over the pipeline file's `lm` section.
    var overrides: LMOverrides {
        LMOverrides(
            model: lm, baseURL: baseURL, apiKeyEnvironmentVariable: apiKeyEnv, temperature: temperature,
            maxTokens: maxReplyTokens, timeoutSeconds: timeout, maxAttempts: maxAttempts,
            maxConcurrency: maxConcurrency)
    }

    /// The simulator's options, for runs that use it.
    var simulator: SimulatorOptions {
        SimulatorOptions(latencyMilliseconds: simLatencyMs, failRate: simFailRate, seed: simSeed)
    }

    /// Runs `body` with the chosen model (flags over the pipeline file's `lm` section over defaults); `sim`
    /// starts the simulator on a free loopback port for the duration, so the offline path is the same HTTP path
    /// as a real provider.
    func withLanguageModel<R: Sendable>(
        file: LMSpec? = nil, _ body: (any LanguageModel) async throws -> R
    ) async throws -> R {
        try await SimulatorConnector().withLanguageModel(
            LMSettings(overriding: overrides, file: file), simulator: simulator,
            cache: noCache ? nil : MemoryLMCache(), body)
    }
}
