extension TPESampler {
    /// The SplitMix64 generator behind one suggestion, derived from the sampler's seed and the suggestion's index.
    ///
    /// Suggestion *k* gets its own stream, so a suggestion never depends on how many numbers earlier suggestions
    /// drew, only on the seed and *k*. Integer and floating-point draws are computed here, not by the standard
    /// library, so the sequence stays the same across toolchains.
    struct Generator {
        private var state: UInt64

        /// The stream for the suggestion made after `suggestion` trials.
        init(seed: UInt64, suggestion: Int) {
            let index = UInt64(truncatingIfNeeded: suggestion)
            state = Self.mix(Self.mix(seed) &+ Self.mix(index ^ 0x5450_455F_5341_4D50))
        }

        /// The next 64 random bits.
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return Self.mix(state)
        }

        /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject); `bound` must be positive.
        mutating func next(below bound: Int) -> Int {
            guard bound > 0 else { preconditionFailure("A random index needs a positive bound, got \(bound)") }
            let range = UInt64(bound)
            let threshold = (0 &- range) % range
            while true {
                let (high, low) = next().multipliedFullWidth(by: range)
                if low >= threshold {
                    return Int(high)
                }
            }
        }

        /// A uniform `Double` in `[0, 1)` with 53 random bits.
        mutating func nextUnit() -> Double {
            Double(next() >> 11) * 0x1p-53
        }

        /// SplitMix64's finalizer: a bijection in which every output bit depends on every input bit.
        private static func mix(_ value: UInt64) -> UInt64 {
            var z = value
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
