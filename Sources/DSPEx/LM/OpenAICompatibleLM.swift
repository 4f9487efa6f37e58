import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A language model behind an OpenAI-compatible `/chat/completions` endpoint: OpenAI, vLLM,
/// llama.cpp's server, Ollama, LM Studio, gateways, or DSPEx's own simulator.
///
/// One client owns its HTTP connection pool, its concurrency limit (shared by every caller),
/// its retry policy, its cache and its call history. The API key is read from the environment
/// when the client is created and is never logged, cached or stored. A request for `n > 1` choices
/// from a server that refuses or ignores `n` (llama.cpp, Ollama) is sent as `n` one-choice requests.
///
/// ```swift
/// let lm = OpenAICompatibleLM(.init(model: "gpt-4o-mini"))   // key from OPENAI_API_KEY
/// defer { try? await lm.shutdown() }
/// let answer = try await Predict("question -> answer", lm: lm)(["question": "What is 2 + 3?"])
/// ```
public final class OpenAICompatibleLM: LanguageModel {
    /// How to reach and use the server.
    public struct Configuration: Sendable {
        /// The API root, ending in `/v1` for most servers.
        public var baseURL: String
        /// The model name sent with each request.
        public var model: String
        /// The environment variable holding the API key; `nil` sends no key.
        public var apiKeyEnvironmentVariable: String?
        /// How long one attempt may take before it counts as a timeout.
        public var timeout: Duration
        /// How long connecting may take.
        public var connectTimeout: Duration
        /// When to retry.
        public var retry: RetryPolicy
        /// The most requests in flight at once, across all callers of this client.
        public var maxConcurrency: Int
        /// The reply cache; `nil` disables caching.
        public var cache: (any LMCache)?
        /// How many calls ``history`` keeps.
        public var historyLimit: Int
        /// Options applied to every request unless the call sets them.
        public var defaults: LMOptions
        /// Extra HTTP headers. The values of those named in ``secretHeaderNames`` are secrets: removed, like the
        /// key, from everything the server sends back.
        public var headers: [String: String]
        /// Header names (any case) whose values are secrets; by default those providers use for keys.
        public var secretHeaderNames: Set<String> = ["authorization", "proxy-authorization", "api-key", "x-api-key"]
        /// The most requests a minute, shared by every caller; `nil` is unlimited.
        public var requestsPerMinute: Double?
        /// The most tokens a minute (prompt estimated before a call, completion charged after); `nil` is unlimited.
        public var tokensPerMinute: Double?
        /// Which HTTP client carries the requests.
        public var transport: Transport
        /// How the client waits between attempts (real time unless a test injects its own).
        public var retryTiming: RetryTiming = .live

        /// Creates a configuration; the defaults talk to OpenAI with the key in `OPENAI_API_KEY`.
        public init(
            model: String, baseURL: String = "https://api.openai.com/v1",
            apiKeyEnvironmentVariable: String? = "OPENAI_API_KEY", timeout: Duration = .seconds(120),
            connectTimeout: Duration = .seconds(10), retry: RetryPolicy = .exponential(), maxConcurrency: Int = 64,
            cache: (any LMCache)? = MemoryLMCache(), historyLimit: Int = 100, defaults: LMOptions = LMOptions(),
            headers: [String: String] = [:], requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil,
            transport: Transport = .automatic
        ) {
            self.model = model
            self.baseURL = baseURL
            self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.retry = retry
            self.maxConcurrency = maxConcurrency
            self.cache = cache
            self.historyLimit = historyLimit
            self.defaults = defaults
            self.headers = headers
            self.requestsPerMinute = requestsPerMinute
            self.tokensPerMinute = tokensPerMinute
            self.transport = transport
        }
    }

    /// Which HTTP client carries a client's requests.
    public enum Transport: String, Sendable, CaseIterable {
        /// DSPEx's lean keep-alive HTTP/1.1 client for `http://` URLs (local servers, where the client's
        /// CPU per call matters), AsyncHTTPClient for `https://` URLs.
        case automatic
        /// AsyncHTTPClient for every URL.
        case asyncHTTPClient = "async-http-client"
    }

    /// The configuration this client was made with.
    public let configuration: Configuration
    /// The last calls, newest last.
    public let history: LMHistory

    public var model: String { configuration.model }

    private let apiKey: String?
    /// The chat-completions URL as shown in messages (without any password it carries).
    private let endpoint: String
    /// Removes the key and secret header values from everything the server sends.
    private let redactor: SecretRedactor
    /// The first run-fatal refusal (a rejected key, an unknown model): later calls fail with it at once.
    private let refusal = Mutex<LMError?>(nil)
    private let transport: any HTTPTransport
    private let limiter: ConcurrencyLimiter
    private let requestRate: RateLimiter?
    private let tokenRate: RateLimiter?
    private let choices = ChoiceFanOut()
    private let coalescer = RequestCoalescer()

    /// Creates a client; reads the API key from `environment` now.
    public init(
        _ configuration: Configuration, environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.configuration = configuration
        history = LMHistory(limit: configuration.historyLimit)
        let connection = EndpointConnection(
            baseURL: configuration.baseURL, path: "/chat/completions",
            keyVariable: configuration.apiKeyEnvironmentVariable, environment: environment,
            headers: configuration.headers, secretHeaderNames: configuration.secretHeaderNames,
            transport: configuration.transport, connectTimeout: configuration.connectTimeout,
            maxConnections: configuration.maxConcurrency)
        apiKey = connection.apiKey
        endpoint = connection.endpoint
        redactor = connection.redactor
        transport = connection.transport
        limiter = ConcurrencyLimiter(limit: configuration.maxConcurrency)
        requestRate = configuration.requestsPerMinute.map { RateLimiter(perMinute: $0) }
        tokenRate = configuration.tokensPerMinute.map { RateLimiter(perMinute: $0, burst: max(1, $0 / 6)) }
    }

    /// Closes the connection pool. Call once when done; later calls fail.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    public func complete(_ request: LMRequest) async throws -> LMResponse {
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
        var request = request
        request.temperature = request.temperature ?? configuration.defaults.temperature
        request.maxTokens = request.maxTokens ?? configuration.defaults.maxTokens
        request.stop = request.stop ?? configuration.defaults.stop
        let started = ContinuousClock.now
        let encoded = request.encoded(withIdentity: configuration.cache != nil)
        let key = encoded.identity.map(LMRequest.cacheKey(identity:))
        guard let key, let cache = configuration.cache else {
            return try await callModel(request, encoded: encoded, started: started)
        }
        if var cached = await cache.response(forKey: key) {
            cached.cached = true
            history.record(.init(date: Date(), request: request, response: cached, latency: .zero))
            return cached
        }
        // Single flight: an identical request already in flight is waited for, not sent again.
        let response = try await coalescer.coalesce(key) { attempt in
            // A leader after a cancelled one looks again: the reply may have been stored meanwhile.
            if attempt > 0, var cached = await cache.response(forKey: key) {
                cached.cached = true
                return cached
            }
            let response = try await callModel(request, encoded: encoded, started: started)
            await cache.store(response, forKey: key)  // committed before anyone gets it
            return response
        }
        if response.cached {
            history.record(.init(date: Date(), request: request, response: response, latency: .zero))
        }
        return response
    }

    /// Sends a request that the cache did not answer (through the rate limits, the fan-out for `n > 1`, the
    /// concurrency limit and the retries) and records it.
    private func callModel(
        _ request: LMRequest, encoded: (body: [UInt8], identity: [UInt8]?), started: ContinuousClock.Instant
    )
        async throws -> LMResponse
    {
        do {
            if let requestRate { try await requestRate.acquire() }
            if let gate = RequestGates.current { try await gate.admit() }
            if let tokenRate {
                try await tokenRate.acquire(Double(request.messages.reduce(0) { $0 + $1.content.utf8.count }) / 4)
            }
            let choiceCount = request.n
            let response = try await choices.complete(request) { single in
                // The fan-out changes only `n`: a request with the same `n` is this one, whose body is written.
                let body = single.n == choiceCount ? encoded.body : single.bodyJSON
                return try await self.limiter.withPermit { try await self.sendWithRetries(body) }
            }
            tokenRate?.charge(Double(response.usage.completionTokens))
            history.record(
                .init(date: Date(), request: request, response: response, latency: ContinuousClock.now - started))
            return response
        } catch {
            history.record(
                .init(
                    date: Date(), request: request, response: nil, error: String(describing: error),
                    latency: ContinuousClock.now - started))
            throw error
        }
    }

    private func sendWithRetries(_ body: [UInt8]) async throws -> LMResponse {
        try await configuration.retry.run(timing: configuration.retryTiming) { attempt in
            var response = try await send(body)
            response.requests = attempt
            return response
        }
    }

    private func send(_ body: [UInt8]) async throws -> LMResponse {
        let response: HTTPTransportResponse
        do {
            response = try await transport.post(body, timeout: configuration.timeout)
        } catch let error as LMError {
            throw redactor.redact(error)
        }
        return try receive(response)
    }

    /// The one place where text from the server enters the program: a reply's choices and model, or an error
    /// with the server's message — each with the client's secrets removed.
    private func receive(_ response: HTTPTransportResponse) throws -> LMResponse {
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
        let body = Array(response.body.readableBytesView)
        do {
            if StreamedChatCompletion.isEventStream(body, contentType: response.headers.first(name: "content-type")) {
                return try StreamedChatCompletion.decode(body, endpoint: endpoint, redactor: redactor)
            }
            return try OpenAICompatibleLM.decodeResponse(body, endpoint: endpoint, redactor: redactor)
        } catch let error as LMError {
            throw redactor.redact(error)
        }
    }

    /// The error for a status that no call of the run can get past — 401/403 (the key), 404 (the model) — or a
    /// prompt over the context window, saying what to fix; `nil` for other statuses.
    private func refusalError(status: Int, answered: String) -> LMError? {
        EndpointRefusal(
            endpoint: endpoint, model: configuration.model, keyVariable: configuration.apiKeyEnvironmentVariable,
            keySent: apiKey != nil
        ).error(status: status, answered: answered)
    }

}
