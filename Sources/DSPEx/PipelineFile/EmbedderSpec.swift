/// The embedding model of a `knn_few_shot` stage, under its `embedder:` key.
///
/// Only `model` is required. Without `base_url` the stage embeds on the server of the run's language model — the
/// same URL, key variable, headers and transport, whatever set them (flags, the file's `lm`, the built-in
/// simulator, which serves `/v1/embeddings`); `api_key_env` then overrides only the key's variable. With a
/// `base_url` of its own, the key is read from `api_key_env`, else the file's `lm.api_key_env`, else
/// `OPENAI_API_KEY`, as for `lm`.
///
/// ```yaml
/// embedder:
///   model: text-embedding-3-small
///   base_url: https://api.openai.com/v1
///   api_key_env: OPENAI_API_KEY
/// ```
public struct EmbedderSpec: Sendable, Hashable {
    /// The embedding model sent with each request (`model`).
    public var model: String
    /// The OpenAI-compatible server (`base_url`), or `nil` for the run's model server.
    public var baseURL: String?
    /// The name of the environment variable holding the API key (`api_key_env`).
    public var apiKeyEnvironmentVariable: String?
    /// The place of the `embedder:` mapping.
    public var location: SourceLocation

    /// The keys an `embedder:` mapping accepts.
    public static let keys = ["model", "base_url", "api_key_env"]

    /// Creates a declaration.
    public init(
        model: String, baseURL: String? = nil, apiKeyEnvironmentVariable: String? = nil, location: SourceLocation
    ) {
        self.model = model
        self.baseURL = baseURL
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.location = location
    }
}
