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
    public var cacheKey: String {
        let digest = SHA256.hash(data: cacheIdentityJSON)
        var hex: [UInt8] = []
        hex.reserveCapacity(2 * SHA256.byteCount)
        func digit(_ nibble: UInt8) -> UInt8 {
            nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
        }
        for byte in digest {
            hex.append(digit(byte >> 4))
            hex.append(digit(byte & 0xF))
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// An in-memory least-recently-used cache of replies.
public final class MemoryLMCache: LMCache {
    private struct Entry {
        var response: LMResponse
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let capacity: Int
    private let state = Mutex(State())

    /// Creates a cache that keeps at most `capacity` replies, dropping the least recently used.
    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    public func response(forKey key: String) async -> LMResponse? {
        state.withLock { state in
            guard var entry = state.entries[key] else { return nil }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.response
        }
    }

    public func store(_ response: LMResponse, forKey key: String) async {
        state.withLock { state in
            state.clock += 1
            state.entries[key] = Entry(response: response, lastUse: state.clock)
            if state.entries.count > capacity {
                // Evict the oldest tenth at once so eviction stays amortised O(log n) per insert. Use
                // times are unique, so the cut-off time alone says which entries go.
                let excess = state.entries.count - capacity + capacity / 10
                let cutoff = state.entries.values.map(\.lastUse).sorted()[excess - 1]
                let oldest = state.entries.compactMap { $0.value.lastUse <= cutoff ? $0.key : nil }
                for key in oldest { state.entries.removeValue(forKey: key) }
            }
        }
    }

    /// How many replies are stored.
    public var count: Int { state.withLock { $0.entries.count } }
}
