/// A deterministic random number generator (SplitMix64): optimizers take a seed, never global randomness,
/// so a run with the same seed makes the same choices — and a resumed run can replay them.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator; seed 0 is a valid seed.
    public init(seed: UInt64) {
        state = seed ^ 0x5DEE_CE66_D1CE_4E5B
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
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
}
