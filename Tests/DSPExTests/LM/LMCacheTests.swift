import Foundation
import Testing

@testable import DSPEx

@Suite struct LMCacheTests {
    @Test("the cache key is SHA-256 of the sorted-key compact JSON, as DSPy computes it", .tags(.golden))
    func keyRecipeMatchesDSPy() throws {
        let fixture = try Fixtures.load("cache_keys.json")
        let first = try #require(fixture["direct"]?[0])
        let request = try #require(first["request"])
        let serialized = request.jsonString(JSONFormat(sortKeys: true))
        #expect(serialized == first["serialized"]?.stringValue)
        let ours = LMRequest(
            model: "openai/gpt-4o-mini", messages: [.user("What is 2 + 3?")], temperature: 0.0, maxTokens: 1000,
            rolloutID: 1, extra: ["_fn_identifier": "dspy.clients.lm.litellm_completion"])
        #expect(ours.cacheKey == first["key"]?.stringValue)
    }

    @Test("the rollout id changes the key but is not sent")
    func rolloutID() {
        let base = LMRequest(model: "m", messages: [.user("hi")])
        var other = base
        other.rolloutID = 2
        #expect(base.cacheKey != other.cacheKey)
        #expect(other.body["rollout_id"] == nil)
    }

    @Test("the request body and cache identity written directly are the text of their values")
    func directJSON() {
        let requests = [
            LMRequest(model: "m", messages: [.system("S \"q\" é\n"), .user("ü 😀 \u{01}")]),
            LMRequest(
                model: "m", messages: [.user("hi")], temperature: 0.5, maxTokens: 10, n: 3,
                responseFormat: ["type": "json_object"], stop: ["\n\n"], rolloutID: 7,
                extra: ["temperature": 0.9, "seed": 1, "_fn": "x"]),
            LMRequest(model: "m", messages: [], n: 1, rolloutID: 1),
        ]
        for request in requests {
            #expect(String(decoding: request.bodyJSON, as: UTF8.self) == request.body.jsonString())
            #expect(
                String(decoding: request.cacheIdentityJSON, as: UTF8.self)
                    == request.cacheIdentity.jsonString(JSONFormat(sortKeys: true)))
        }
    }

    @Test("the key filter finds every key added and rejects most others")
    func keyFilter() {
        var filter = CacheKeyFilter()
        for index in 0..<1000 { filter.insert(HashedCacheKey("key-\(index)")) }
        #expect((0..<1000).allSatisfy { filter.mayContain(HashedCacheKey("key-\($0)")) })
        let falsePositives = (0..<10_000).filter { filter.mayContain(HashedCacheKey("other-\($0)")) }.count
        #expect(falsePositives < 10)
    }

    @Test("the memory cache evicts the least recently used entries")
    func lruEviction() async {
        let cache = MemoryLMCache(capacity: 10)
        let reply = LMResponse(choices: [.init(text: "x")])
        for index in 0..<10 { await cache.store(reply, forKey: "k\(index)") }
        _ = await cache.response(forKey: "k0")
        for index in 10..<12 { await cache.store(reply, forKey: "k\(index)") }
        #expect(cache.count <= 10)
        #expect(await cache.response(forKey: "k0") != nil)
        #expect(await cache.response(forKey: "k1") == nil)
    }

    @Test("backoff grows exponentially with full jitter and honours Retry-After")
    func retryPolicy() {
        let policy = RetryPolicy.exponential(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unit: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unit: 1) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 10, retryAfter: nil, unit: 1) == .seconds(1))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unit: 0.5) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(2), unit: 0.1) == .seconds(2))
    }

    @Test("LM errors say whether a retry may help")
    func retryability() {
        #expect(LMError(code: .httpStatus, message: "", status: 429).isRetryable)
        #expect(LMError(code: .httpStatus, message: "", status: 503).isRetryable)
        #expect(!LMError(code: .httpStatus, message: "", status: 401).isRetryable)
        #expect(!LMError(code: .httpStatus, message: "", status: 400).isRetryable)
        #expect(LMError(code: .timeout, message: "").isRetryable)
        #expect(LMError(code: .connection, message: "").isRetryable)
        #expect(!LMError(code: .unreachable, message: "").isRetryable)
    }
}
