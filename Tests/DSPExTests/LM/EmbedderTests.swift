import Crypto
import DSPExTesting
import Foundation
import Testing

@testable import DSPEx

/// Starts the simulator and an embedder for it over real HTTP on 127.0.0.1, runs `body`, and shuts both down.
func withSimulatedEmbedder<R: Sendable>(
    _ simulator: SimulatorConfiguration = SimulatorConfiguration(),
    configure: (inout OpenAICompatibleEmbedder.Configuration) -> Void = { _ in },
    environment: [String: String] = [:],
    _ body: (OpenAICompatibleEmbedder, SimulatorServer) async throws -> R
) async throws -> R {
    var quiet = simulator
    quiet.logger.logLevel = .warning
    return try await withSimulator(quiet) { server in
        var configuration = OpenAICompatibleEmbedder.Configuration(
            model: "sim-embed", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil)
        configure(&configuration)
        let embedder = OpenAICompatibleEmbedder(configuration, environment: environment)
        do {
            let result = try await body(embedder, server)
            try await embedder.shutdown()
            return result
        } catch {
            try? await embedder.shutdown()
            throw error
        }
    }
}

@Suite(.timeLimit(.minutes(3)))
struct EmbedderTests {
    static func requests(_ server: SimulatorServer) -> Int { server.stats().byPath["/v1/embeddings", default: 0] }

    static func dot(_ left: [Float], _ right: [Float]) -> Float { zip(left, right).reduce(0) { $0 + $1.0 * $1.1 } }

    @Test(
        "embeds over HTTP: one unit vector per text, in order, equal for equal texts",
        arguments: OpenAICompatibleLM.Transport.allCases)
    func embedsInOrder(transport: OpenAICompatibleLM.Transport) async throws {
        try await withSimulatedEmbedder(configure: { $0.transport = transport }) { embedder, server in
            let texts = ["What is 2 + 3?", "the cat sat", "What is 2 + 3?", "stock prices"]
            let vectors = try await embedder.embed(texts)
            #expect(vectors.count == 4)
            #expect(vectors.allSatisfy { $0.count == 64 && abs(Self.dot($0, $0) - 1) < 1e-4 })
            #expect(vectors[0] == vectors[2])
            #expect(vectors[0] != vectors[1])
            #expect(Self.requests(server) == 1)  // one batch; the repeated text sent once
            let alone = try await OpenAICompatibleEmbedder(
                .init(model: "sim-embed", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil, cache: nil)
            ).embed(["the cat sat"])
            #expect(alone == [vectors[1]])
            #expect(try await embedder.embed([]) == [])
        }
    }

    @Test("a second call is answered by the cache: no request, one cached call; usage recorded once")
    func cacheHit() async throws {
        try await withSimulatedEmbedder { embedder, server in
            let texts = (0..<5).map { "What is \($0) + 1?" }
            let (first, paid) = try await withUsageScope { try await embedder.embed(texts) }
            #expect(Self.requests(server) == 1)
            #expect(paid.lmCalls == 1 && paid.cachedCalls == 0 && paid.requests == 1)
            #expect(paid.tokens.promptTokens == 5 * 3)  // 14 bytes each: 3 tokens
            let (second, cached) = try await withUsageScope { try await embedder.embed(texts.reversed()) }
            #expect(second == first.reversed())
            #expect(Self.requests(server) == 1)
            #expect(cached.lmCalls == 0 && cached.cachedCalls == 1 && cached.tokens.totalTokens == 0)
            // Only the texts not cached are sent.
            let (_, mixed) = try await withUsageScope { try await embedder.embed(texts + ["a new text"]) }
            #expect(Self.requests(server) == 2)
            #expect(mixed.lmCalls == 1 && mixed.tokens.promptTokens == 2)
            #expect(embedder.configuration.cache?.count == 6)
        }
    }

    @Test("texts go in batches of batchSize, sent concurrently; the vectors keep the texts' order")
    func batches() async throws {
        try await withSimulatedEmbedder(configure: {
            $0.batchSize = 3
            $0.maxConcurrency = 2
            $0.cache = nil
        }) { embedder, server in
            let texts = (0..<10).map { "text number \($0)" }
            let (vectors, usage) = try await withUsageScope { try await embedder.embed(texts) }
            #expect(Self.requests(server) == 4)
            #expect(usage.lmCalls == 4 && usage.requests == 4)
            let unbatched = try await withSimulatedEmbedder(configure: { $0.cache = nil }) { single, _ in
                try await single.embed(texts)
            }
            #expect(vectors == unbatched)
        }
    }

    @Test("with a store, a new embedder (fresh memory) pays for no embedding again")
    func persistentCache() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        try await withSimulatedEmbedder(configure: { $0.cache = EmbeddingCache(store: store) }) { embedder, server in
            let first = try await embedder.embed(["alpha beta", "gamma delta"])
            #expect(try store.cachedEmbeddingCount() == 2)
            let rerun = OpenAICompatibleEmbedder(
                .init(
                    model: "sim-embed", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil,
                    cache: EmbeddingCache(store: store)))
            let (again, usage) = try await withUsageScope { try await rerun.embed(["gamma delta", "alpha beta"]) }
            try await rerun.shutdown()
            #expect(again == first.reversed())
            #expect(Self.requests(server) == 1)
            #expect(usage.cachedCalls == 1 && usage.lmCalls == 0)
            try rerun.configuration.cache?.flush()
            // Another model's vectors are other keys.
            let other = OpenAICompatibleEmbedder(
                .init(
                    model: "other-model", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil,
                    cache: EmbeddingCache(store: store)))
            _ = try await other.embed(["alpha beta"])
            try await other.shutdown()
            #expect(Self.requests(server) == 2)
        }
    }

    @Test(
        "a refused key is an authentication error naming the endpoint and variable, without the key; later calls send nothing"
    )
    func refusedKey() async throws {
        var simulator = SimulatorConfiguration()
        simulator.requiredAPIKey = "sk-the-right-key-0123456789"
        let wrongKey = "sk-wrong-key-abcdefghijklmnop"
        try await withSimulatedEmbedder(
            simulator, configure: { $0.apiKeyEnvironmentVariable = "SIM_EMBED_KEY" },
            environment: ["SIM_EMBED_KEY": wrongKey]
        ) { embedder, server in
            let error = try await #require(throws: LMError.self) { try await embedder.embed(["hello"]) }
            #expect(error.code == .authentication)
            #expect(error.status == 401)
            #expect(error.message.contains("/v1/embeddings") && error.message.contains("SIM_EMBED_KEY"))
            #expect(!error.description.contains(wrongKey) && !error.description.contains("sk-wrong"))
            #expect(error.isRunFatal)
            let (_, usage) = await UsageScope.measuring { try await embedder.embed(["hello"]) }
            #expect(Self.requests(server) == 1)
            #expect(usage.failedCalls == 0 && usage.requests == 0)
        }
    }

    @Test("an endpoint that is not there is an unknown-model error; a reply without vectors is an invalid response")
    func errorNaming() async throws {
        try await withSimulator { server in
            let missing = OpenAICompatibleEmbedder(
                .init(model: "nope", baseURL: server.baseURL + "/missing", apiKeyEnvironmentVariable: nil))
            let notFound = try await #require(throws: LMError.self) { try await missing.embed(["x"]) }
            try await missing.shutdown()
            #expect(notFound.code == .unknownModel)
            #expect(notFound.message.contains("embedding model 'nope'"))
        }
        try await ScriptedHTTPServer.with(.keepAlive) { server in
            let chatOnly = OpenAICompatibleEmbedder(
                .init(model: "m", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil, retry: .none))
            let invalid = try await #require(throws: LMError.self) { try await chatOnly.embed(["x"]) }
            try await chatOnly.shutdown()
            #expect(invalid.code == .invalidResponse)
            #expect(invalid.message.contains("/v1/embeddings") && invalid.message.contains("no 'data'"))
        }
        let refused = OpenAICompatibleEmbedder(
            .init(model: "m", baseURL: "http://127.0.0.1:1/v1", apiKeyEnvironmentVariable: nil, retry: .none))
        let unreachable = try await #require(throws: LMError.self) { try await refused.embed(["x"]) }
        try await refused.shutdown()
        #expect(unreachable.code == .unreachable)
        let noKey = OpenAICompatibleEmbedder(.init(model: "text-embedding-3-small"), environment: [:])
        let configuration = try await #require(throws: LMError.self) { try await noKey.embed(["x"]) }
        try await noKey.shutdown()
        #expect(configuration.code == .configuration && configuration.message.contains("OPENAI_API_KEY"))
    }

    @Test("the reply's vectors are placed by index and checked: count, length and index")
    func decoding() async throws {
        let decode = { (json: String, count: Int) in
            try OpenAICompatibleEmbedder.decodeEmbeddings(Array(json.utf8), count: count, endpoint: "E")
        }
        let swapped = try decode(
            #"{"data":[{"index":1,"embedding":[3,4]},{"index":0,"embedding":[1,2.5]}],"usage":{"prompt_tokens":7}}"#,
            2)
        #expect(swapped.vectors == [[1, 2.5], [3, 4]])
        #expect(swapped.promptTokens == 7)
        for (json, says) in [
            (#"{"data":[{"embedding":[1]}]}"#, "1 embeddings for 2 inputs"),
            (#"{"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[2]}]}"#, "index 0 out of place"),
            (#"{"data":[{"index":0,"embedding":[1]},{"index":1,"embedding":[2,3]}]}"#, "2 components where 1"),
            (#"{"data":[{"index":0,"embedding":"AAAA"},{"index":1,"embedding":[2]}]}"#, "0 components"),
            (#"[1, 2]"#, "not return a JSON object"),
            (#"{"data": [}"#, "did not return JSON"),
        ] {
            let error = try #require(throws: LMError.self) { try decode(json, 2) }
            #expect(error.code == .invalidResponse)
            #expect(error.message.contains(says), "\(json): \(error.message)")
        }
    }

    @Test("a spent budget fails the call before anything is sent")
    func budget() async throws {
        try await withSimulatedEmbedder { embedder, server in
            let error = try await #require(throws: LMError.self) {
                try await withUsageScope(budget: UsageBudget(maxCalls: 0)) { try await embedder.embed(["x"]) }
            }
            #expect(error.code == .budgetExhausted)
            #expect(Self.requests(server) == 0)
        }
    }

    @Test("cache keys are the SHA-256 of model, text and dimensions")
    func cacheKeys() {
        let key = EmbeddingCache.key(model: "m", text: "hello")
        #expect(key.count == 64)
        #expect(key == EmbeddingCache.key(model: "m", text: "hello"))
        #expect(key != EmbeddingCache.key(model: "n", text: "hello"))
        #expect(key != EmbeddingCache.key(model: "m", text: "hello", dimensions: 8))
        #expect(key == SHA256.hexDigest(of: Array(#"{"input":"hello","model":"m"}"#.utf8)))
    }
}
