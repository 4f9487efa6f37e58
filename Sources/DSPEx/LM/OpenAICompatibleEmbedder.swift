import Foundation
import NIOCore
import NIOHTTP1
import OrderedCollections
import Synchronization

/// An embedding model behind an OpenAI-compatible `/embeddings` endpoint: OpenAI, vLLM, llama.cpp's server, Ollama,
/// LM Studio, gateways, or DSPEx's simulator — DSPy's `dspy.Embedder("openai/…")`.
///
/// It talks to the server as ``OpenAICompatibleLM`` does, through the same transports, retry policy and secret
/// handling: the API key is read from the environment when the embedder is created and never stored, logged or
/// cached; everything the server says is redacted; 429, 5xx, timeouts and broken connections are retried with
/// backoff (honouring `Retry-After`), and 401/403/404 stop every later call at once.
///
/// Texts are sent in batches of ``Configuration/batchSize`` (DSPy's default, 200), up to
/// ``Configuration/maxConcurrency`` batches at once across all callers. Each vector is cached by model and text
/// (``EmbeddingCache``; give it a ``Store`` and a rerun embeds nothing twice), a text repeated within a call is sent
/// once, and each batch sent is one call in the current ``UsageScope`` (its tokens, attempts and failure counted
/// once); a call the cache answered entirely is one cached call.
///
/// ```swift
/// let embedder = OpenAICompatibleEmbedder(.init(model: "text-embedding-3-small"))   // key from OPENAI_API_KEY
/// defer { try? await embedder.shutdown() }
/// let vectors = try await embedder.embed(["What is 2 + 3?", "What is 7 + 1?"])
/// ```
public final class OpenAICompatibleEmbedder: Embedder {
    /// How to reach and use the server.
    public struct Configuration: Sendable {
        /// The embedding model sent with each request.
        public var model: String
        /// The API root, ending in `/v1` for most servers.
        public var baseURL: String
        /// The environment variable holding the API key; `nil` sends no key.
        public var apiKeyEnvironmentVariable: String?
        /// Texts per request (DSPy's `batch_size`).
        public var batchSize: Int
        /// The most requests in flight at once, across all callers of this embedder.
        public var maxConcurrency: Int
        /// OpenAI's `dimensions`, for models that can shorten their vectors; `nil` sends none.
        public var dimensions: Int?
        /// The vector cache; `nil` disables caching.
        public var cache: EmbeddingCache?
        /// How long one attempt may take before it counts as a timeout.
        public var timeout: Duration
        /// How long connecting may take.
        public var connectTimeout: Duration
        /// When to retry.
        public var retry: RetryPolicy
        /// How the embedder waits between attempts (real time unless a test injects its own).
        public var retryTiming: RetryTiming = .live
        /// Extra HTTP headers; the values of those named in ``secretHeaderNames`` are secrets.
        public var headers: [String: String]
        /// Header names (any case) whose values are secrets.
        public var secretHeaderNames: Set<String> = ["authorization", "proxy-authorization", "api-key", "x-api-key"]
        /// Which HTTP client carries the requests.
        public var transport: OpenAICompatibleLM.Transport

        /// Creates a configuration; the defaults talk to OpenAI with the key in `OPENAI_API_KEY`.
        public init(
            model: String, baseURL: String = "https://api.openai.com/v1",
            apiKeyEnvironmentVariable: String? = "OPENAI_API_KEY", batchSize: Int = 200, maxConcurrency: Int = 8,
            dimensions: Int? = nil, cache: EmbeddingCache? = EmbeddingCache(), timeout: Duration = .seconds(120),
            connectTimeout: Duration = .seconds(10), retry: RetryPolicy = .exponential(),
            headers: [String: String] = [:], transport: OpenAICompatibleLM.Transport = .automatic
        ) {
            self.model = model
            self.baseURL = baseURL
            self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
            self.batchSize = batchSize
            self.maxConcurrency = maxConcurrency
            self.dimensions = dimensions
            self.cache = cache
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.retry = retry
            self.headers = headers
            self.transport = transport
        }

        /// The server, key, timeouts, retries, headers and transport of a chat client's configuration, with an
        /// embedding model of the same server.
        ///
        /// ```swift
        /// let embedder = OpenAICompatibleEmbedder(.init(model: "text-embedding-3-small", connection: lm.configuration))
        /// ```
        public init(
            model: String, connection: OpenAICompatibleLM.Configuration, cache: EmbeddingCache? = EmbeddingCache()
        ) {
            self.init(
                model: model, baseURL: connection.baseURL,
                apiKeyEnvironmentVariable: connection.apiKeyEnvironmentVariable,
                cache: cache, timeout: connection.timeout, connectTimeout: connection.connectTimeout,
                retry: connection.retry, headers: connection.headers, transport: connection.transport)
            retryTiming = connection.retryTiming
            secretHeaderNames = connection.secretHeaderNames
        }
    }

    /// The configuration this embedder was made with.
    public let configuration: Configuration
    /// The embedding model.
    public var model: String { configuration.model }

    private let apiKey: String?
    /// The embeddings URL as shown in messages (without any password it carries).
    private let endpoint: String
    private let redactor: SecretRedactor
    /// The first run-fatal refusal (a rejected key, an unknown model): later calls fail with it at once.
    private let refusal = Mutex<LMError?>(nil)
    private let transport: any HTTPTransport
    private let limiter: ConcurrencyLimiter

    /// Creates an embedder; reads the API key from `environment` now.
    public init(
        _ configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.configuration = configuration
        let connection = EndpointConnection(
            baseURL: configuration.baseURL, path: "/embeddings", keyVariable: configuration.apiKeyEnvironmentVariable,
            environment: environment, headers: configuration.headers,
            secretHeaderNames: configuration.secretHeaderNames, transport: configuration.transport,
            connectTimeout: configuration.connectTimeout, maxConnections: configuration.maxConcurrency)
        apiKey = connection.apiKey
        endpoint = connection.endpoint
        redactor = connection.redactor
        transport = connection.transport
        limiter = ConcurrencyLimiter(limit: configuration.maxConcurrency)
    }

    /// Closes the connection pool. Call once when done; later calls fail.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// One vector per text, in order: cached ones from the cache, the others from the server in concurrent batches.
    ///
    /// - Throws: ``LMError`` naming the endpoint: the server's refusal (redacted), a reply that is not the
    ///   embeddings JSON or has the wrong number of vectors, or a spent budget.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        try checkUsable()
        var unique: [String] = []
        var seen = Set<String>()
        for text in texts where seen.insert(text).inserted { unique.append(text) }
        var vectors: [String: [Float]] = [:]
        if let cache = configuration.cache {
            let keys = unique.map(key(for:))
            let found = await cache.embeddings(forKeys: keys)
            for (text, key) in zip(unique, keys) { vectors[text] = found[key] }
        }
        let missing = unique.filter { vectors[$0] == nil }
        if missing.isEmpty {
            UsageScope.current?.record(Usage(cachedCalls: 1))
        } else {
            let size = max(1, configuration.batchSize)
            let batches = stride(from: 0, to: missing.count, by: size).map {
                Array(missing[$0..<min($0 + size, missing.count)])
            }
            for (batch, embedded) in try await embedBatches(batches) {
                for (text, vector) in zip(batch, embedded) { vectors[text] = vector }
            }
        }
        return texts.map { text in
            guard let vector = vectors[text] else {
                preconditionFailure("every text was looked up or embedded")
            }
            return vector
        }
    }

    /// The cache key of `text` for this embedder's model and dimensions.
    private func key(for text: String) -> String {
        EmbeddingCache.key(model: configuration.model, text: text, dimensions: configuration.dimensions)
    }

    /// Fails at once when no call can succeed: no key for OpenAI, or a refusal seen before.
    private func checkUsable() throws {
        if apiKey == nil, endpoint.hasPrefix("https://api.openai.com"),
            let variable = configuration.apiKeyEnvironmentVariable
        {
            throw LMError(
                code: .configuration, message: "no API key for \(endpoint): set the environment variable \(variable)",
                attempts: 0)
        }
        if var refusal = refusal.withLock({ $0 }) {
            refusal.attempts = 0  // nothing is sent
            throw refusal
        }
    }

    /// Embeds the batches, at most ``Configuration/maxConcurrency`` in flight from this call (the limiter bounds
    /// all callers together); each batch's vectors are cached as soon as it returns.
    private func embedBatches(_ batches: [[String]]) async throws -> [(batch: [String], vectors: [[Float]])] {
        try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            var next = 0
            func startNext() {
                let index = next
                let batch = batches[index]
                next += 1
                group.addTask { (index, try await self.embedBatch(batch)) }
            }
            while next < min(batches.count, max(1, configuration.maxConcurrency)) { startNext() }
            var results: [(batch: [String], vectors: [[Float]])] = []
            while let (index, vectors) = try await group.next() {
                results.append((batches[index], vectors))
                if next < batches.count { startNext() }
            }
            return results
        }
    }

    /// One request: admitted by the budget, sent through the limiter with retries, recorded once in the usage
    /// scope, and its vectors committed to the cache before they are returned.
    private func embedBatch(_ batch: [String]) async throws -> [[Float]] {
        let scope = UsageScope.current
        try scope?.admit()
        let started = ContinuousClock.now
        do {
            try checkUsable()
            let body = requestBody(batch)
            let reply = try await limiter.withPermit { try await self.sendWithRetries(body, count: batch.count) }
            scope?.record(
                Usage(
                    lmCalls: 1, tokens: TokenUsage(promptTokens: reply.promptTokens),
                    latency: ContinuousClock.now - started, requests: reply.attempts),
                admitted: true)
            if let cache = configuration.cache {
                await cache.store(zip(batch, reply.vectors).map { (key(for: $0), $1) })
            }
            return reply.vectors
        } catch {
            let sent = (error as? LMError)?.attempts ?? (error is CancellationError ? 0 : 1)
            scope?.record(sent > 0 ? Usage(failedCalls: 1, requests: sent) : Usage(), admitted: true)
            throw error
        }
    }

    /// `{"model", "input": [...], "encoding_format": "float", "dimensions"?}`.
    private func requestBody(_ batch: [String]) -> [UInt8] {
        var body: OrderedDictionary<String, Value> = [
            "model": .string(configuration.model), "input": .array(batch.map(Value.string)),
            "encoding_format": "float",
        ]
        if let dimensions = configuration.dimensions { body["dimensions"] = .int(dimensions) }
        return Value.object(body).jsonBytes()
    }

    /// A decoded reply and the attempts it took.
    struct Reply {
        var vectors: [[Float]]
        var promptTokens: Int
        var attempts: Int
    }

    private func sendWithRetries(_ body: [UInt8], count: Int) async throws -> Reply {
        try await configuration.retry.run(timing: configuration.retryTiming) { attempt in
            let response: HTTPTransportResponse
            do {
                response = try await transport.post(body, timeout: configuration.timeout)
            } catch let error as LMError {
                throw redactor.redact(error)
            }
            var reply = try receive(response, count: count)
            reply.attempts = attempt
            return reply
        }
    }

    /// The one place where text from the server enters: the vectors of a reply, or an error with the server's
    /// message and the secrets removed.
    private func receive(_ response: HTTPTransportResponse, count: Int) throws -> Reply {
        let status = Int(response.status.code)
        guard status < 300 else {
            let said = OpenAICompatibleLM.serverMessage(String(buffer: response.body))
            let answered = "\(status) \(response.status.reasonPhrase)" + (said.isEmpty ? "" : ": " + said)
            let error =
                refusalError(status: status, answered: answered)
                ?? LMError(
                    code: .httpStatus, message: "\(endpoint) answered \(answered)", status: status,
                    retryAfter: OpenAICompatibleLM.retryAfter(response.headers))
            let redacted = redactor.redact(error)
            if redacted.isRunFatal { refusal.withLock { $0 = $0 ?? redacted } }
            throw redacted
        }
        do {
            return try Self.decodeEmbeddings(Array(response.body.readableBytesView), count: count, endpoint: endpoint)
        } catch let error as LMError {
            throw redactor.redact(error)
        }
    }

    /// The error for a status no later call can get past — 401/403 (the key), 404 (the model) — saying what to
    /// fix; `nil` for other statuses.
    private func refusalError(status: Int, answered: String) -> LMError? {
        EndpointRefusal(
            endpoint: endpoint, model: configuration.model, modelKind: "embedding model",
            keyVariable: configuration.apiKeyEnvironmentVariable, keySent: apiKey != nil
        ).error(status: status, answered: answered)
    }

    /// Reads an embeddings JSON body: `data[].embedding` placed by `data[].index` (their order when absent), and
    /// `usage.prompt_tokens`; exactly `count` vectors of one length, else ``LMError/Code/invalidResponse``.
    static func decodeEmbeddings(_ body: [UInt8], count: Int, endpoint: String) throws -> Reply {
        var parser = JSONParser(bytes: body)
        var entries: [(index: Int?, vector: [Float])]?
        var promptTokens = 0
        do {
            guard parser.peek() == UInt8(ascii: "{") else {
                _ = try parser.parseValue()
                throw LMError(code: .invalidResponse, message: "\(endpoint) did not return a JSON object")
            }
            try parser.readObject { parser, key throws(JSONParseError) in
                switch key {
                case "data" where parser.peek() == UInt8(ascii: "["):
                    var read: [(index: Int?, vector: [Float])] = []
                    try parser.readArray { parser throws(JSONParseError) in read.append(try readEntry(&parser)) }
                    entries = read
                case "usage": promptTokens = try parser.parseValue()["prompt_tokens"]?.intValue ?? 0
                default: _ = try parser.parseValue()
                }
            }
            try parser.finishDocument()
        } catch let error as JSONParseError {
            throw LMError(code: .invalidResponse, message: "\(endpoint) did not return JSON: \(error)")
        }
        guard let entries else {
            throw LMError(code: .invalidResponse, message: "\(endpoint) returned no 'data' list of embeddings")
        }
        guard entries.count == count else {
            throw LMError(
                code: .invalidResponse, message: "\(endpoint) returned \(entries.count) embeddings for \(count) inputs")
        }
        var vectors = [[Float]?](repeating: nil, count: count)
        for (position, entry) in entries.enumerated() {
            let index = entry.index ?? position
            guard vectors.indices.contains(index), vectors[index] == nil else {
                throw LMError(
                    code: .invalidResponse, message: "\(endpoint) returned embedding index \(index) out of place")
            }
            guard !entry.vector.isEmpty, entry.vector.count == entries[0].vector.count else {
                throw LMError(
                    code: .invalidResponse,
                    message: "\(endpoint) returned embedding \(index) with \(entry.vector.count) components where "
                        + "\(entries[0].vector.count) were expected")
            }
            vectors[index] = entry.vector
        }
        return Reply(vectors: vectors.compactMap { $0 }, promptTokens: promptTokens, attempts: 1)
    }

    /// One element of `data`: its `index` and its `embedding` (a list of numbers; anything else is no vector).
    private static func readEntry(_ parser: inout JSONParser) throws(JSONParseError) -> (index: Int?, vector: [Float]) {
        guard parser.peek() == UInt8(ascii: "{") else {
            _ = try parser.parseValue()
            return (nil, [])
        }
        var index: Int?
        var vector: [Float] = []
        try parser.readObject { parser, key throws(JSONParseError) in
            switch key {
            case "index": index = try parser.parseValue().intValue
            case "embedding" where parser.peek() == UInt8(ascii: "["):
                var components: [Float] = []
                var numeric = true
                try parser.readArray { parser throws(JSONParseError) in
                    let value = try parser.parseValue()
                    if let number = value.doubleValue { components.append(Float(number)) } else { numeric = false }
                }
                vector = numeric ? components : []
            default: _ = try parser.parseValue()
            }
        }
        return (index, vector)
    }
}
