import Synchronization

/// An ``LMCache`` that survives the process: a ``MemoryLMCache`` in front of the store's `lmCache` table.
///
/// A hit in memory returns at once; a miss reads SQLite (and keeps the reply in memory). The first miss
/// scans the table once: when every stored reply fits in memory they are all loaded, otherwise their keys
/// go into a fixed-size filter (``CacheKeyFilter``) so that a key never stored — every call of a first
/// run — is not looked up in SQLite at all. Keys written by another process after that scan are not
/// seen (a repeated call, never a wrong answer). A stored
/// reply goes to memory at once and to SQLite write-behind: replies are written in one transaction
/// when ``Configuration/batchSize`` are pending or the oldest has waited ``Configuration/maxDelay`` (by
/// the caller whose reply made it so), and on ``flush()`` and ``close()``. Call ``flush()`` before the
/// process exits, or the newest replies are only in memory; a killed process loses at most the replies of
/// its last `maxDelay`, which costs repeated calls, never a wrong answer. Store
/// failures never fail a language-model call: a failed read is a miss, and a failed write is
/// reported by the next ``flush()``.
///
/// ```swift
/// let cache = PersistentLMCache(store: store)
/// let lm = OpenAICompatibleLM(.init(model: "gpt-4o-mini", cache: cache))
/// // ... run ...
/// try await cache.flush()
/// ```
public final class PersistentLMCache: LMCache {
    /// Sizes of the memory layer and of write batches.
    public struct Configuration: Sendable {
        /// Replies kept in memory.
        public var memoryCapacity: Int
        /// Replies written to SQLite in one transaction.
        public var batchSize: Int
        /// The longest a reply waits to be written while further replies are stored (as long as the
        /// evaluation's results wait, so that a resumed run rarely pays again for a call it made).
        public var maxDelay: Duration

        /// Creates a configuration.
        public init(memoryCapacity: Int = 10_000, batchSize: Int = 2048, maxDelay: Duration = .milliseconds(100)) {
            self.memoryCapacity = memoryCapacity
            self.batchSize = batchSize
            self.maxDelay = maxDelay
        }
    }

    private struct State {
        var pending: [(key: String, response: LMResponse)] = []
        /// When the oldest pending reply was stored.
        var oldestPending: ContinuousClock.Instant?
        /// A write started by ``store(_:forKey:)`` has not finished: no other caller starts one.
        var writeInFlight = false
        var failure: StoreError?
        /// The keys SQLite may hold: those stored when the filter was loaded (on the first lookup that
        /// missed memory) and every key stored since. `nil` until loaded, or if loading failed.
        var storedKeys: CacheKeyFilter?
        var storedKeysLoaded = false
    }

    /// The store behind the memory layer.
    public let store: Store
    private let memory: MemoryLMCache
    private let memoryCapacity: Int
    private let batchSize: Int
    private let maxDelay: Duration
    private let state = Mutex(State())

    /// Creates a cache over `store`.
    public init(store: Store, configuration: Configuration = .init()) {
        self.store = store
        memory = MemoryLMCache(capacity: configuration.memoryCapacity)
        memoryCapacity = configuration.memoryCapacity
        batchSize = max(1, configuration.batchSize)
        maxDelay = configuration.maxDelay
    }

    public func response(forKey key: String) async -> LMResponse? {
        let hashed = HashedCacheKey(key)  // once, for the memory layer and the filter
        if let hit = memory.response(for: hashed) { return hit }
        var warm: [(key: String, response: LMResponse)] = []
        let (mayBeStored, pending) = state.withLock { state -> (Bool, LMResponse?) in
            if !state.storedKeysLoaded {
                state.storedKeysLoaded = true
                (state.storedKeys, warm) = loadStoredKeys()
                for (pendingKey, _) in state.pending { state.storedKeys?.insert(HashedCacheKey(pendingKey)) }
            }
            guard state.storedKeys?.mayContain(hashed) ?? true else { return (false, nil) }
            // Not yet written and already evicted from memory: still pending.
            return (true, state.pending.last(where: { $0.key == key })?.response)
        }
        for (warmKey, response) in warm { memory.store(response, for: HashedCacheKey(warmKey)) }
        if !warm.isEmpty, let hit = memory.response(for: hashed) { return hit }
        if let pending { return pending }
        // A key never stored (a first call) is not looked up in SQLite.
        guard mayBeStored, let stored = try? store.cachedResponseForLookup(forKey: key) else { return nil }
        memory.store(stored, for: hashed)
        return stored
    }

    public func store(_ response: LMResponse, forKey key: String) async {
        let hashed = HashedCacheKey(key)  // once, for the memory layer and the filter
        memory.store(response, for: hashed)
        let now = ContinuousClock.now
        let due = state.withLock { state in
            state.storedKeys?.insert(hashed)
            state.pending.append((key, response))
            let oldest = state.oldestPending ?? now
            state.oldestPending = oldest
            guard !state.writeInFlight, state.pending.count >= batchSize || now - oldest >= maxDelay else {
                return false
            }
            state.writeInFlight = true
            return true
        }
        guard due else { return }
        try? await writePending()
        state.withLock { $0.writeInFlight = false }
    }

    /// Writes every reply stored so far to SQLite and returns when they are committed.
    ///
    /// - Throws: ``StoreError`` from this write or an earlier write-behind that failed.
    public func flush() async throws {
        try await writePending()
        if let failure = state.withLock({ state in
            defer { state.failure = nil }; return state.failure
        }) {
            throw failure
        }
    }

    /// Same as ``flush()``: the cache stays usable (it owns no resource beyond the store's).
    public func close() async throws {
        try await flush()
    }

    /// How many replies wait to be written.
    public var pendingCount: Int { state.withLock { $0.pending.count } }

    /// A filter of the keys in the store now (`nil`, look every key up, if they cannot be read), and the stored
    /// replies themselves when they all fit in the memory layer: one scan then replaces a point read per call.
    /// Runs once, under the state's lock, so that no key stored meanwhile is missed.
    private func loadStoredKeys() -> (CacheKeyFilter?, [(key: String, response: LMResponse)]) {
        var filter = CacheKeyFilter()
        var replies: [(key: String, response: LMResponse)] = []
        do {
            if try store.cachedResponseCount() <= memoryCapacity {
                try store.forEachCachedResponse { key, response in
                    filter.insert(HashedCacheKey(key))
                    replies.append((key, response))
                }
            } else {
                try store.forEachCachedKey { filter.insert(HashedCacheKey($0)) }
            }
        } catch {
            return (nil, [])
        }
        return (filter, replies)
    }

    /// Writes what is pending when the write transaction starts (so a flush also waits for
    /// every earlier write: GRDB runs writes one at a time).
    private func writePending() async throws {
        do {
            try await store.asyncWrite("store cached replies") { [self] db in
                let batch = state.withLock { state in
                    defer {
                        state.pending.removeAll(keepingCapacity: true)
                        state.oldestPending = nil
                    }
                    return state.pending
                }
                guard !batch.isEmpty else { return }
                try Store.upsertCache(try store.encodeResponses(batch), in: db)
            }
        } catch {
            let failure = StoreError.wrapping(error, code: .write, operation: "store cached replies", path: store.path)
            state.withLock { $0.failure = $0.failure ?? failure }
            throw failure
        }
    }

    deinit {
        // Best effort for an owner that forgot flush(): a synchronous write of what is left.
        let batch = state.withLock { $0.pending }
        if !batch.isEmpty { try? store.storeResponses(batch) }
    }
}
