/// DSPEx's one deterministic random number generator (SplitMix64): optimizers take a seed, never global randomness,
/// so a run with the same seed makes the same choices — and a resumed run can replay them; the simulator derives its
/// "random" answers, faults and latencies from it the same way.
///
/// ``next(below:)`` and ``nextUnit()`` are computed here, not by the standard library, so their sequences stay the
/// same across toolchains.
///
/// ```swift
/// var random = SeededGenerator(seed: 7)
/// let index = random.next(below: 10)   // the same every run
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    /// Creates a generator for an optimizer's seed; seed 0 is a valid seed.
    public init(seed: UInt64) {
        state = seed ^ 0x5DEE_CE66_D1CE_4E5B
    }

    /// Creates a generator that starts from `state` as it is (a hash, a derived stream).
    public init(state: UInt64) {
        self.state = state
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject); `bound` must be positive.
    public mutating func next(below bound: Int) -> Int {
        guard bound > 0 else { preconditionFailure("A random index needs a positive bound, got \(bound)") }
        let range = UInt64(bound)
        let threshold = (0 &- range) % range
        while true {
            let (high, low) = next().multipliedFullWidth(by: range)
            if low >= threshold { return Int(high) }
        }
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    public mutating func nextUnit() -> Double {
        Self.unitInterval(next())
    }

    /// `count` distinct elements of `elements` in random order (Python's `random.sample`).
    public mutating func sample<T>(_ elements: [T], count: Int) -> [T] {
        var pool = elements
        var chosen: [T] = []
        for _ in 0..<min(max(0, count), pool.count) {
            chosen.append(pool.remove(at: Int.random(in: 0..<pool.count, using: &self)))
        }
        return chosen
    }

    /// SplitMix64's finalizer: a bijection in which every output bit depends on every input bit.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits as a uniform `Double` in `[0, 1)`.
    public static func unitInterval(_ bits: UInt64) -> Double {
        Double(bits >> 11) * 0x1p-53
    }
}
