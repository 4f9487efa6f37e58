import struct DSPEx.SeededGenerator

/// A process-independent 64-bit hash (FNV-1a, finished with a SplitMix64 mix).
///
/// Swift's `Hasher` is seeded randomly per process, so anything the simulator decides
/// "at random" — which answers are wrong, which requests fail — is derived from this
/// hash instead: the same bytes and seed give the same value on every run and machine.
///
/// ```swift
/// var hash = StableHash(seed: 42)
/// hash.combine("What is 2 + 3?")
/// let value = hash.finalize()
/// ```
struct StableHash: Sendable, Hashable {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    private var state: UInt64

    /// Creates a hash whose result also depends on `seed`.
    init(seed: UInt64 = 0) {
        self.state = Self.offsetBasis
        self.combine(seed)
    }

    /// Folds the UTF-8 bytes of `text` into the hash, followed by a terminator byte so that
    /// `("ab", "c")` and `("a", "bc")` hash differently.
    mutating func combine(_ text: String) {
        var state = self.state
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                state = (state ^ UInt64(byte)) &* Self.prime
            }
        }
        state = (state ^ 0xFF) &* Self.prime
        self.state = state
    }

    /// Folds raw bytes into the hash (no terminator).
    mutating func combine<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        var state = self.state
        for byte in bytes {
            state = (state ^ UInt64(byte)) &* Self.prime
        }
        self.state = state
    }

    /// Folds the eight little-endian bytes of `value` into the hash.
    mutating func combine(_ value: UInt64) {
        var state = self.state
        var remaining = value
        for _ in 0..<8 {
            state = (state ^ (remaining & 0xFF)) &* Self.prime
            remaining >>= 8
        }
        self.state = state
    }

    /// Folds an integer into the hash.
    mutating func combine(_ value: Int) {
        self.combine(UInt64(bitPattern: Int64(value)))
    }

    /// The hash value, passed through SplitMix64's finaliser so that every bit depends on every input byte.
    func finalize() -> UInt64 {
        SeededGenerator.mix(self.state)
    }

    /// Hashes a list of strings in one call.
    static func of(_ parts: String..., seed: UInt64 = 0) -> UInt64 {
        var hash = StableHash(seed: seed)
        for part in parts {
            hash.combine(part)
        }
        return hash.finalize()
    }
}
