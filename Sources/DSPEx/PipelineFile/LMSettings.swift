/// The language-model settings of a run, resolved once: for every option the flag's value if given, else the
/// pipeline file's, else DSPEx's default. Stages and the client both take their options from here, so no copy
/// of a setting can beat another.
///
/// ```swift
/// let settings = spec.lmSettings(overriding: LMOverrides(temperature: 0.7))
/// settings.options.temperature   // 0.7, whatever the file says
/// ```
public struct LMSettings: Sendable, Hashable {
    /// The model name sent to the server (without an `openai/` prefix).
    public var model: String
    /// Whether the run uses the built-in simulator (no `base_url` and the model `sim` or `dspex-sim`, or nothing
    /// chosen at all): whoever connects the model starts it and supplies its URL.
    public var usesSimulator: Bool
    /// The API root; `nil` with the simulator.
    public var baseURL: String?
    /// The environment variable holding the API key.
    public var apiKeyEnvironmentVariable: String
    /// The options every stage's request carries (temperature, max tokens).
    public var options: LMOptions
    /// How long one attempt may take.
    public var timeout: Duration
    /// Attempts per call, the first included.
    public var maxAttempts: Int
    /// The most requests in flight at once.
    public var maxConcurrency: Int
    /// The most requests per minute, if limited.
    public var requestsPerMinute: Int?
    /// The most tokens per minute, if limited.
    public var tokensPerMinute: Int?

    /// The defaults when neither a flag nor the file sets an option.
    public enum Defaults {
        /// OpenAI's API root, for `openai/MODEL`.
        public static let baseURL = "https://api.openai.com/v1"
        /// The key's variable.
        public static let apiKeyEnvironmentVariable = "OPENAI_API_KEY"
        /// Seconds per attempt.
        public static let timeoutSeconds = 120.0
        /// Attempts per call.
        public static let maxAttempts = 6
        /// Requests in flight.
        public static let maxConcurrency = 64
    }

    /// The client configuration for these settings, at `baseURL` (the simulator's when it is used).
    public func clientConfiguration(
        baseURL: String, model: String? = nil, cache: (any LMCache)?,
        transport: OpenAICompatibleLM.Transport = .automatic
    ) -> OpenAICompatibleLM.Configuration {
        OpenAICompatibleLM.Configuration(
            model: model ?? self.model, baseURL: baseURL, apiKeyEnvironmentVariable: apiKeyEnvironmentVariable,
            timeout: timeout, retry: .exponential(maxAttempts: maxAttempts), maxConcurrency: maxConcurrency,
            cache: cache, historyLimit: 0, defaults: options, requestsPerMinute: requestsPerMinute.map(Double.init),
            tokensPerMinute: tokensPerMinute.map(Double.init), transport: transport)
    }
}

extension LMSettings {
    /// Resolves settings: `overrides` (the flags) win over `file` (a pipeline file's `lm` section), which wins
    /// over ``Defaults``, option by option. A model given as a flag also drops the file's `base_url` (it belongs
    /// to the file's model); a base URL given alone keeps the file's model, so `--base-url` on a simulator pipeline
    /// talks to the `dspex-sim` model at that server instead of starting the built-in one.
    public init(overriding overrides: LMOverrides, file: LMSpec?) {
        let fileWantsSimulator =
            file.map { ($0.model == "sim" || $0.model == "dspex-sim") && $0.baseURL == nil } ?? true
        // A base URL given alone points the file's model (the simulator's name, if the file names it) at that server.
        let simulatorChoice = overrides.baseURL == nil ? "sim" : "dspex-sim"
        let chosen = overrides.model ?? (fileWantsSimulator ? simulatorChoice : file?.model ?? "sim")
        usesSimulator = chosen == "sim" || (chosen == "dspex-sim" && overrides.baseURL == nil && fileWantsSimulator)
        let named = chosen.hasPrefix("openai/") ? String(chosen.dropFirst("openai/".count)) : chosen
        model = usesSimulator ? "dspex-sim" : named
        baseURL =
            usesSimulator
            ? nil : overrides.baseURL ?? (overrides.model == nil ? file?.baseURL : nil) ?? Defaults.baseURL
        apiKeyEnvironmentVariable =
            overrides.apiKeyEnvironmentVariable ?? file?.apiKeyEnvironmentVariable ?? Defaults.apiKeyEnvironmentVariable
        options = LMOptions(
            temperature: overrides.temperature ?? file?.temperature, maxTokens: overrides.maxTokens ?? file?.maxTokens)
        timeout = .milliseconds(Int((overrides.timeoutSeconds ?? Defaults.timeoutSeconds) * 1000))
        maxAttempts = overrides.maxAttempts ?? Defaults.maxAttempts
        maxConcurrency = overrides.maxConcurrency ?? file?.maxConcurrency ?? Defaults.maxConcurrency
        requestsPerMinute = overrides.requestsPerMinute ?? file?.requestsPerMinute
        tokensPerMinute = overrides.tokensPerMinute ?? file?.tokensPerMinute
    }
}

extension PipelineSpec {
    /// The run's model settings: `overrides` (the flags) win over the file's `lm` section, which wins over
    /// ``LMSettings/Defaults``, option by option.
    public func lmSettings(overriding overrides: LMOverrides = LMOverrides()) -> LMSettings {
        LMSettings(overriding: overrides, file: lm)
    }
}
