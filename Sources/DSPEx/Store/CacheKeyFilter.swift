/// A fixed-size Bloom filter of the cache keys the store may hold, so that a lookup of a key that was never
/// stored — every call of a first run — answers "no" without a SQLite read.
///
/// 2²³ bits (1 MiB) and two probes: about 0.06% false positives with 100,000 keys and 5% with a million
/// (a false positive costs one point read, never a wrong answer). Its size does not grow with the cache.
struct CacheKeyFilter: Sendable {
    private static let bitCount = 1 << 23
    private var words = [UInt64](repeating: 0, count: CacheKeyFilter.bitCount / 64)

    /// Adds `key`.
    mutating func insert(_ key: String) {
        let (first, second) = Self.bits(for: key)
        words[first >> 6] |= 1 << UInt64(first & 63)
        words[second >> 6] |= 1 << UInt64(second & 63)
    }

    /// Whether `key` may have been added (`false` means certainly not).
    func mayContain(_ key: String) -> Bool {
        let (first, second) = Self.bits(for: key)
        return words[first >> 6] & (1 << UInt64(first & 63)) != 0
            && words[second >> 6] & (1 << UInt64(second & 63)) != 0
    }

    private static func bits(for key: String) -> (Int, Int) {
        let hash = UInt64(bitPattern: Int64(key.hashValue))
        let mask = UInt64(bitCount - 1)
        return (Int(hash & mask), Int((hash >> 32) & mask))
    }
}
