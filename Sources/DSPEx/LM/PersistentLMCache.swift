import Foundation
import Synchronization

/// An ``LMCache`` that survives the process: a ``MemoryLMCache`` in front of the store's `lmCache` table, in which
/// every reply is committed before the caller gets it.
///
/// A hit in memory returns at once; a miss reads the store (and keeps the reply in memory). The first miss scans the
/// table once: when every stored reply fits in memory they are all loaded, otherwise their keys go into a fixed-size
/// filter (``CacheKeyFilter``) so that a key never stored — every call of a first run — is not looked up in the store
/// at all. Keys written by another process after that scan are not seen (a repeated call, never a wrong answer).
///
/// **Durable before use.** ``store(_:forKey:)`` returns once the reply is committed, so a reply the client hands to
/// its caller is in the store: a process killed at any moment loses no reply it used, and a resumed run asks the
/// model again only for the calls that were in flight. The cost is shared by group commit: the replies that arrive
/// while one transaction commits are written together in the next, by one of their callers (the first to arrive
/// leads, writes one batch, and hands the lead to the next waiting caller), so there is no timer and no task of
/// the cache's own. What survives a power cut depends on the store's ``Store/Durability``. Store failures never fail
/// a language-model call: a failed read is a miss, and a failed write is reported by the next ``flush()``.
///
/// ```swift
/// let cache = PersistentLMCache(store: store)
/// let lm = OpenAICompatibleLM(.init(model: "gpt-4o-mini", cache: cache))
/// ```
public final class PersistentLMCache: LMCache {
    /// Sizes of the memory layer and of write batches.
    public struct Configuration: Sendable {
        /// Replies kept in memory.
        public var memoryCapacity: Int
        /// The most replies one transaction writes (more waiting ones go in the next).
        public var maxBatch: Int

        /// Creates a configuration.
        public init(memoryCapacity: Int = 10_000, maxBatch: Int = 4096) {
            self.memoryCapacity = memoryCapacity
            self.maxBatch = maxBatch
        }
    }

    /// What a caller waiting for its reply to be committed is told.
    private enum Turn {
        /// The reply is committed.
        case committed
        /// The reply is pending and no one is writing: write the next batch.
        case lead
    }

    private struct Pending {
        var key: String
        var response: LMResponse
        /// The caller waiting for this reply's commit; `nil` for the caller writing it.
        var waiter: CheckedContinuation<Turn, Never>?
    }

    private struct State {
        var pending: [Pending] = []
        /// A caller is writing a batch: others wait for their turn.
        var writing = false
        var failure: StoreError?
        /// The keys the store may hold.
        var storedKeys = StoredKeys()
    }

    /// The store behind the memory layer.
    public let store: any Store
    private let memory: MemoryLMCache
    private let memoryCapacity: Int
    private let maxBatch: Int
    private let state = Mutex(State())

    /// Creates a cache over `store`.
    public init(store: any Store, configuration: Configuration = .init()) {
        self.store = store
        memory = MemoryLMCache(capacity: configuration.memoryCapacity)
        memoryCapacity = configuration.memoryCapacity
        maxBatch = max(1, configuration.maxBatch)
    }

    public func response(forKey key: String) async -> LMResponse? {
        let hashed = HashedCacheKey(key)  // once, for the memory layer and the filter
        if let hit = memory.response(for: hashed) { return hit }
        // A shared store gains keys from other processes: every miss is looked up there, without a filter.
        if !store.isShared, state.withLock({ $0.storedKeys.startLoading() }) {
            await loadStoredKeys()
            if let hit = memory.response(for: hashed) { return hit }
        }
        let shared = store.isShared
        let (mayBeStored, pending) = state.withLock { state -> (Bool, LMResponse?) in
            guard shared || state.storedKeys.mayContain(hashed) else { return (false, nil) }
            // Not yet written and already evicted from memory: still pending.
            return (true, state.pending.last(where: { $0.key == key })?.response)
        }
        if let pending { return pending }
        // A key never stored (a first call) is not looked up in the store.
        guard mayBeStored,
            let text = try? await store.cachedReplyText(forKey: key),
            let stored = try? LMResponse(cachedJSON: text, key: key, path: store.location)
        else { return nil }
        memory.store(stored, for: hashed)
        return stored
    }

    /// Keeps the reply in memory and returns once it is committed to the store (see the type's discussion).
    public func store(_ response: LMResponse, forKey key: String) async {
        let hashed = HashedCacheKey(key)  // once, for the memory layer and the filter
        memory.store(response, for: hashed)
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leads = state.withLock { state -> Bool in
                state.storedKeys.insert(hashed)
                guard state.writing else {
                    state.writing = true
                    state.pending.append(Pending(key: key, response: response, waiter: nil))
                    return true
                }
                state.pending.append(Pending(key: key, response: response, waiter: continuation))
                return false
            }
            if leads { continuation.resume(returning: .lead) }
        }
        if turn == .lead { await commitBatch() }
    }

    /// Writes the pending replies (up to ``Configuration/maxBatch``) in one transaction, tells their callers, and
    /// hands the lead to the first caller still waiting, if any.
    private func commitBatch() async {
        let batch = state.withLock { state -> [Pending] in
            let count = min(state.pending.count, maxBatch)
            defer { state.pending.removeFirst(count) }
            return Array(state.pending.prefix(count))
        }
        await write(batch)
        let next = state.withLock { state -> CheckedContinuation<Turn, Never>? in
            guard let index = state.pending.firstIndex(where: { $0.waiter != nil }) else {
                state.writing = false
                return nil
            }
            defer { state.pending[index].waiter = nil }
            return state.pending[index].waiter
        }
        for entry in batch { entry.waiter?.resume(returning: .committed) }
        next?.resume(returning: .lead)
    }

    private func write(_ batch: [Pending]) async {
        guard !batch.isEmpty else { return }
        let now = Date()
        let rows = batch.map { LMCacheRecord(key: $0.key, response: $0.response.storedJSON, createdAt: now) }
        do {
            try await store.storeCachedReplies(rows)
        } catch {
            let failure = StoreError.wrapping(
                error, code: .write, operation: "store cached replies", path: store.location)
            state.withLock { $0.failure = $0.failure ?? failure }
        }
    }

    /// Reports a write that failed since the last flush. Every reply ``store(_:forKey:)`` returned for is already
    /// committed, so there is nothing left to write.
    ///
    /// - Throws: The ``StoreError`` of a failed write.
    public func flush() async throws {
        if let failure = state.withLock({ state in
            defer { state.failure = nil }
            return state.failure
        }) {
            throw failure
        }
    }

    /// Same as ``flush()``: the cache stays usable (it owns no resource beyond the store's).
    public func close() async throws {
        try await flush()
    }

    /// How many replies wait to be committed (their callers are waiting).
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Loads a filter of the keys in the store now (`nil`, look every key up, if they cannot be read), and the
    /// stored replies themselves when they all fit in the memory layer: one scan then replaces a point read per call.
    /// The first lookup that misses memory runs it; lookups meanwhile read the store, and keys stored meanwhile are
    /// added when it ends, so that none is missed.
    private func loadStoredKeys() async {
        var filter = CacheKeyFilter()
        var replies: [(key: String, response: LMResponse)] = []
        let location = store.location
        var loaded: CacheKeyFilter?
        do {
            if try await store.cachedResponseCount() <= memoryCapacity {
                try await store.forEachCachedReply { key, text in
                    filter.insert(HashedCacheKey(key))
                    if let response = try? LMResponse(cachedJSON: text, key: key, path: location) {
                        replies.append((key, response))
                    }
                }
            } else {
                try await store.forEachCachedKey { filter.insert(HashedCacheKey($0)) }
            }
            loaded = filter
        } catch {
            loaded = nil
            replies = []
        }
        for (key, response) in replies { memory.store(response, for: HashedCacheKey(key)) }
        state.withLock { $0.storedKeys.finishLoading(loaded) }
    }
}
