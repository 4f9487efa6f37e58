/// The embedder of a `knn_few_shot` stage: an ``OpenAICompatibleEmbedder`` on the server of the run's language
/// model — resolved when it embeds, since a pipeline's graph is built before the model is connected — or at the
/// `base_url` the file gives.
///
/// The run's model is the one the graph was built with, else the one set with ``withLM(_:adapter:_:)``; it must
/// be an ``OpenAICompatibleLM`` (the CLI's and the Run layer's are, the built-in simulator's included), whose URL, key
/// variable, headers, timeouts, retries and transport the embedder takes, so flags that move the model move the
/// embedder too.
///
/// Each call makes a client for its texts and shuts it down before returning, so nothing outlives the call;
/// vectors are kept in one ``EmbeddingCache`` for the life of this value, so a text is sent once.
///
/// ```swift
/// let embedder = LMServerEmbedder(EmbedderSpec(model: "text-embedding-3-small", location: location), lm: nil)
/// let vectors = try await withLM(lm) { try await embedder.embed(["What is 2 + 3?"]) }
/// ```
public struct LMServerEmbedder: Embedder {
    /// The file's declaration.
    public let spec: EmbedderSpec
    /// The model whose server the embedder uses when ``EmbedderSpec/baseURL`` is `nil`; `nil` reads the task's.
    public let lm: (any LanguageModel)?
    /// The key's variable when the declaration has a URL but no `api_key_env`: the file's `lm.api_key_env`, else
    /// `OPENAI_API_KEY`.
    public let defaultKeyVariable: String
    /// The vectors embedded so far, by model and text.
    public let cache: EmbeddingCache

    /// Creates the embedder; nothing is connected until it embeds.
    ///
    /// - Parameters:
    ///   - spec: The file's `embedder:` declaration.
    ///   - lm: The run's model, or `nil` to read the one set with ``withLM(_:adapter:_:)`` at each call.
    ///   - defaultKeyVariable: The key's variable for a declaration with a URL of its own and no `api_key_env`.
    ///   - cache: Where vectors are kept.
    public init(
        _ spec: EmbedderSpec, lm: (any LanguageModel)?,
        defaultKeyVariable: String = LMSettings.Defaults.apiKeyEnvironmentVariable,
        cache: EmbeddingCache = EmbeddingCache()
    ) {
        self.spec = spec
        self.lm = lm
        self.defaultKeyVariable = defaultKeyVariable
        self.cache = cache
    }

    /// One vector per text, from a client made for this call.
    ///
    /// - Throws: ``LMError`` from the server, or with ``LMError/Code/configuration`` when the declaration has no
    ///   `base_url` and the run's model is not an OpenAI-compatible client.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let embedder = OpenAICompatibleEmbedder(try configuration())
        do {
            let vectors = try await embedder.embed(texts)
            try await embedder.shutdown()
            return vectors
        } catch {
            try? await embedder.shutdown()
            throw error
        }
    }

    /// The client configuration for the current call.
    func configuration() throws -> OpenAICompatibleEmbedder.Configuration {
        if let baseURL = spec.baseURL {
            return OpenAICompatibleEmbedder.Configuration(
                model: spec.model, baseURL: baseURL,
                apiKeyEnvironmentVariable: spec.apiKeyEnvironmentVariable ?? defaultKeyVariable, cache: cache)
        }
        guard let client = (lm ?? LMContext.languageModel) as? OpenAICompatibleLM else {
            let found = (lm ?? LMContext.languageModel).map { "a \(type(of: $0))" } ?? "none"
            throw LMError(
                code: .configuration,
                message: "embedder '\(spec.model)' (\(spec.location)) embeds on the server of the run's model, which "
                    + "is not an OpenAI-compatible client (found \(found)); give the embedder a base_url",
                attempts: 0)
        }
        var configuration = OpenAICompatibleEmbedder.Configuration(
            model: spec.model, connection: client.configuration, cache: cache)
        if let variable = spec.apiKeyEnvironmentVariable { configuration.apiKeyEnvironmentVariable = variable }
        return configuration
    }
}
