/// A fixed-size Bloom filter of the cache keys the store may hold, so that a lookup of a key that was never
/// stored — every call of a first run — answers "no" without a SQLite read.
///
/// 2²³ bits (1 MiB) and two probes in one 64-bit word (one cache miss per lookup): about 0.1% false positives
/// with 100,000 keys and 5% with a million (a false positive costs one point read, never a wrong answer). Its
/// size does not grow with the cache.
struct CacheKeyFilter: Sendable {
    private static let wordCount = 1 << 17
    private var words = [UInt64](repeating: 0, count: CacheKeyFilter.wordCount)

    /// Adds `key`.
    mutating func insert(_ key: HashedCacheKey) {
        let (word, mask) = Self.probe(for: key)
        words[word] |= mask
    }

    /// Whether `key` may have been added (`false` means certainly not).
    func mayContain(_ key: HashedCacheKey) -> Bool {
        let (word, mask) = Self.probe(for: key)
        return words[word] & mask == mask
    }

    /// The word and the two bits in it that stand for `key`.
    private static func probe(for key: HashedCacheKey) -> (word: Int, mask: UInt64) {
        let hash = key.hash
        return (Int(hash & UInt64(wordCount - 1)), 1 << ((hash >> 32) & 63) | 1 << ((hash >> 38) & 63))
    }
}
