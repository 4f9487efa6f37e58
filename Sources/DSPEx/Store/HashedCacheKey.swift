import Crypto

/// A cache key with its 64-bit hash, computed once: dictionary probes compare hashes before texts, the key
/// filter takes its bits from the same hash, and the store indexes cached replies by it.
///
/// A key of 64 hex digits (an ``LMRequest/cacheKey``, a SHA-256) is already uniformly spread, so its first
/// 16 digits are the hash; any other key is hashed with SHA-256 first. The hash is the same in every process.
struct HashedCacheKey: Hashable, Sendable {
    /// The key.
    let key: String
    /// Its hash.
    let hash: UInt64

    init(_ key: String) {
        self.key = key
        hash = Self.hexPrefix(of: key) ?? Self.digestPrefix(of: key)
    }

    /// The hash as the store's `keyHash` column holds it.
    var storedHash: Int64 { Int64(bitPattern: hash) }

    /// The first eight bytes of the key's SHA-256.
    private static func digestPrefix(of key: String) -> UInt64 {
        SHA256.hash(data: Array(key.utf8)).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
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
