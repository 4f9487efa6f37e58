import Crypto
import Foundation
import Synchronization

/// Stores language-model replies by request, so an identical request is answered without a call.
///
/// Keys follow DSPy: the SHA-256 of the request's JSON with sorted keys (model, messages,
/// options and rollout id; never the API key or base URL). ``MemoryLMCache`` is the in-process
/// layer; a persistent store can sit behind it.
public protocol LMCache: Sendable {
    /// The stored reply for `key`, if any.
    func response(forKey key: String) async -> LMResponse?
    /// Stores a reply under `key`.
    func store(_ response: LMResponse, forKey key: String) async
}

extension LMRequest {
    /// The cache key: lowercase hex SHA-256 of the request identity as sorted-key JSON.
    public var cacheKey: String { Self.cacheKey(identity: cacheIdentityJSON) }

    /// The cache key of an already written ``cacheIdentityJSON``.
    static func cacheKey(identity: [UInt8]) -> String {
        SHA256.hash(data: identity).hex
    }
}

/// An in-memory cache of replies that drops the least recently used first, approximately: the
/// CLOCK algorithm (a hand sweeps the slots; a reply used since the hand last passed gets another
/// round), so a hit costs one flag and an insert never sorts.
public final class MemoryLMCache: LMCache {
    private struct Slot {
        var key: HashedCacheKey
        var response: LMResponse
        var used: Bool
    }

    private struct State {
        var slotByKey: [HashedCacheKey: Int] = [:]
        var slots: [Slot] = []
        var hand = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    /// Creates a cache that keeps at most `capacity` replies, dropping the least recently used.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    public func response(forKey key: String) async -> LMResponse? {
        response(for: HashedCacheKey(key))
    }

    public func store(_ response: LMResponse, forKey key: String) async {
        store(response, for: HashedCacheKey(key))
    }

    /// ``response(forKey:)`` for a key whose hash the caller has already computed.
    func response(for key: HashedCacheKey) -> LMResponse? {
        state.withLock { state in
            guard let slot = state.slotByKey[key] else { return nil }
            state.slots[slot].used = true
            return state.slots[slot].response
        }
    }

    /// ``store(_:forKey:)`` for a key whose hash the caller has already computed.
    func store(_ response: LMResponse, for key: HashedCacheKey) {
        state.withLock { state in
            if let slot = state.slotByKey[key] {
                state.slots[slot].response = response
                state.slots[slot].used = true
                return
            }
            guard state.slots.count >= capacity else {
                state.slotByKey[key] = state.slots.count
                state.slots.append(Slot(key: key, response: response, used: false))
                return
            }
            // Full: sweep to a slot not used since the last sweep, clearing flags on the way.
            while state.slots[state.hand].used {
                state.slots[state.hand].used = false
                state.hand = (state.hand + 1) % state.slots.count
            }
            let victim = state.hand
            state.slotByKey.removeValue(forKey: state.slots[victim].key)
            state.slotByKey[key] = victim
            state.slots[victim] = Slot(key: key, response: response, used: false)
            state.hand = (victim + 1) % state.slots.count
        }
    }

    /// How many replies are stored.
    public var count: Int { state.withLock { $0.slots.count } }
}
