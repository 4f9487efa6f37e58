/// The language-model settings a run was asked for beyond its pipeline file (the CLI's flags): each one given
/// wins over the file's `lm` section, which wins over DSPEx's default (see ``PipelineSpec/lmSettings(overriding:)``).
///
/// Stored in a run's plan, so a resume uses the same model and options; never holds an API key, only the name of
/// the variable that does.
public struct LMOverrides: Sendable, Hashable, Codable {
    /// `sim` for the built-in simulator, `openai/MODEL` for OpenAI, or a model name served at ``baseURL``.
    public var model: String?
    /// The OpenAI-compatible API root.
    public var baseURL: String?
    /// The environment variable holding the API key.
    public var apiKeyEnvironmentVariable: String?
    /// Sampling temperature.
    public var temperature: Double?
    /// The most tokens a reply may have.
    public var maxTokens: Int?
    /// Seconds one attempt may take before it is retried.
    public var timeoutSeconds: Double?
    /// Attempts per call, the first included.
    public var maxAttempts: Int?
    /// The most requests in flight at once.
    public var maxConcurrency: Int?
    /// The most requests sent per minute.
    public var requestsPerMinute: Int?
    /// The most tokens per minute.
    public var tokensPerMinute: Int?

    /// Creates overrides; `nil` leaves a setting to the file or the default.
    public init(
        model: String? = nil, baseURL: String? = nil, apiKeyEnvironmentVariable: String? = nil,
        temperature: Double? = nil, maxTokens: Int? = nil, timeoutSeconds: Double? = nil, maxAttempts: Int? = nil,
        maxConcurrency: Int? = nil, requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil
    ) {
        self.model = model
        self.baseURL = baseURL
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.maxConcurrency = maxConcurrency
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    /// These overrides with every setting `other` gives in its place.
    public func overridden(by other: LMOverrides) -> LMOverrides {
        LMOverrides(
            model: other.model ?? model, baseURL: other.baseURL ?? baseURL,
            apiKeyEnvironmentVariable: other.apiKeyEnvironmentVariable ?? apiKeyEnvironmentVariable,
            temperature: other.temperature ?? temperature, maxTokens: other.maxTokens ?? maxTokens,
            timeoutSeconds: other.timeoutSeconds ?? timeoutSeconds, maxAttempts: other.maxAttempts ?? maxAttempts,
            maxConcurrency: other.maxConcurrency ?? maxConcurrency,
            requestsPerMinute: other.requestsPerMinute ?? requestsPerMinute,
            tokensPerMinute: other.tokensPerMinute ?? tokensPerMinute)
    }
}
