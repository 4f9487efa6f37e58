/// A cache key with its 64-bit hash, computed once: dictionary probes compare hashes before texts, and the
/// key filter takes its bits from the same hash.
///
/// A key of 64 hex digits (an ``LMRequest/cacheKey``, a SHA-256) is already uniformly spread, so its first
/// 16 digits are the hash; any other key is hashed by Swift's `Hasher` (seeded per process: the hash is
/// never stored).
struct HashedCacheKey: Hashable, Sendable {
    /// The key.
    let key: String
    /// Its hash.
    let hash: UInt64

    init(_ key: String) {
        self.key = key
        hash = Self.hexPrefix(of: key) ?? UInt64(bitPattern: Int64(key.hashValue))
    }

    /// The value of the first 16 digits of a 64-hex-digit key; `nil` for any other key.
    private static func hexPrefix(of key: String) -> UInt64? {
        guard key.utf8.count == 64 else { return nil }
        var key = key
        return key.withUTF8 { bytes -> UInt64? in
            var value: UInt64 = 0
            for index in 0..<16 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
                default: return nil
                }
                value = value << 4 | UInt64(digit)
            }
            return value
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    static func == (lhs: HashedCacheKey, rhs: HashedCacheKey) -> Bool {
        lhs.hash == rhs.hash && lhs.key == rhs.key
    }
}
