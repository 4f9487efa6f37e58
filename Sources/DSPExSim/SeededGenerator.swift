/// A SplitMix64 random number generator: tiny, fast and fully determined by its seed.
///
/// Use it wherever the simulator needs reproducible randomness (sampled latency, fault
/// choice, generated values). Unlike `SystemRandomNumberGenerator` the sequence is the
/// same on every run.
///
/// ```swift
/// var random = SeededGenerator(seed: 7)
/// let roll = random.nextUnitInterval()   // same value every run
/// ```
struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    /// Creates a generator whose sequence is determined by `seed`.
    init(seed: UInt64) {
        self.state = seed
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(self.state)
    }

    /// A uniformly distributed value in `0..<1` with 53 bits of precision.
    mutating func nextUnitInterval() -> Double {
        Self.unitInterval(self.next())
    }

    /// SplitMix64's output function: a bijective mix of the 64 bits of `value`.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Maps 64 random bits to a uniformly distributed value in `0..<1`.
    static func unitInterval(_ bits: UInt64) -> Double {
        Double(bits >> 11) * 0x1.0p-53
    }
}
