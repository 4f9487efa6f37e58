/// What a ``PersistentLMCache`` knows of the keys its store holds: nothing yet, a scan under way (with the keys
/// stored meanwhile), or a filter of them (none when the scan failed: every key may be stored).
struct StoredKeys: Sendable {
    private enum Phase {
        case notLoaded, loading, loaded
    }

    private var phase = Phase.notLoaded
    private var filter: CacheKeyFilter?
    private var storedMeanwhile: [HashedCacheKey] = []

    /// Starts the scan if none has started; `true` for the caller that must run it.
    mutating func startLoading() -> Bool {
        guard phase == .notLoaded else { return false }
        phase = .loading
        return true
    }

    /// Ends the scan with its filter, adding the keys stored while it ran.
    mutating func finishLoading(_ loaded: CacheKeyFilter?) {
        guard phase == .loading else { return }
        filter = loaded
        for key in storedMeanwhile { filter?.insert(key) }
        storedMeanwhile = []
        phase = .loaded
    }

    /// Records a key just stored.
    mutating func insert(_ key: HashedCacheKey) {
        switch phase {
        case .notLoaded: break  // the scan, when it runs, will read it
        case .loading: storedMeanwhile.append(key)
        case .loaded: filter?.insert(key)
        }
    }

    /// Whether the store may hold `key`: `false` only when the filter is sure it does not.
    func mayContain(_ key: HashedCacheKey) -> Bool {
        guard phase == .loaded, let filter else { return true }
        return filter.mayContain(key)
    }
}
