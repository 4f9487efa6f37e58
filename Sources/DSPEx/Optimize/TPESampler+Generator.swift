extension TPESampler {
    /// The generator behind one suggestion, derived from the sampler's seed and the suggestion's index.
    ///
    /// Suggestion *k* gets its own stream, so a suggestion never depends on how many numbers earlier suggestions
    /// drew, only on the seed and *k*.
    static func generator(seed: UInt64, suggestion: Int) -> SeededGenerator {
        let index = UInt64(truncatingIfNeeded: suggestion)
        return SeededGenerator(
            state: SeededGenerator.mix(SeededGenerator.mix(seed) &+ SeededGenerator.mix(index ^ 0x5450_455F_5341_4D50)))
    }
}
