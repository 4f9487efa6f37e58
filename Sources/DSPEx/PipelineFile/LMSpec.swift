/// The language model a pipeline file asks for, under its `lm:` key.
///
/// Only `model` is required; every other setting is optional, and the CLI's flags override
/// what the file says. The file never holds the API key itself, only the name of the
/// environment variable that does (``apiKeyEnvironmentVariable``).
///
/// ```yaml
/// lm:
///   model: gpt-4o-mini
///   base_url: ${DSPEX_BASE_URL}
///   api_key_env: OPENAI_API_KEY
///   temperature: 0.0
/// ```
///
/// ``locations`` maps each key written in the file (`model`, `base_url`, ...) to the place of
/// its value, so later checks can point at it.
public struct LMSpec: Sendable, Hashable {
    /// The model name sent with each request (`model`).
    public var model: String
    /// The OpenAI-compatible server's base URL (`base_url`), after variable expansion.
    public var baseURL: String?
    /// The name of the environment variable holding the API key (`api_key_env`).
    public var apiKeyEnvironmentVariable: String?
    /// The sampling temperature (`temperature`), at least 0.
    public var temperature: Double?
    /// The most tokens a reply may have (`max_tokens`), positive.
    public var maxTokens: Int?
    /// The most requests in flight at once (`max_concurrency`), positive.
    public var maxConcurrency: Int?
    /// The most requests started per minute (`requests_per_minute`), positive.
    public var requestsPerMinute: Int?
    /// The most tokens used per minute (`tokens_per_minute`), positive.
    public var tokensPerMinute: Int?
    /// The place of the `lm:` mapping.
    public var location: SourceLocation
    /// The place of each value, keyed by its key in the file (`model`, `base_url`, ...).
    public var locations: [String: SourceLocation]

    /// The keys an `lm:` mapping accepts, in the order the documentation lists them.
    public static let keys = [
        "model", "base_url", "api_key_env", "temperature", "max_tokens", "max_concurrency", "requests_per_minute",
        "tokens_per_minute",
    ]

    /// Creates a specification.
    public init(
        model: String, baseURL: String? = nil, apiKeyEnvironmentVariable: String? = nil, temperature: Double? = nil,
        maxTokens: Int? = nil, maxConcurrency: Int? = nil, requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil,
        location: SourceLocation, locations: [String: SourceLocation] = [:]
    ) {
        self.model = model
        self.baseURL = baseURL
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.maxConcurrency = maxConcurrency
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.location = location
        self.locations = locations
    }
}
