extension TPESampler {
    /// A finished evaluation: the point that was tried and the score it got (higher is better).
    ///
    /// Record trials in the order they finished and pass them all to ``TPESampler/suggest(after:)``; they are
    /// `Codable` so a run can store them and replay them on resume.
    ///
    /// ```swift
    /// let point = sampler.suggest(after: trials)
    /// trials.append(TPESampler.Trial(values: point, score: 0.72))
    /// ```
    public struct Trial: Sendable, Hashable, Codable {
        /// The value tried for each parameter, keyed by parameter name.
        public var values: [String: Int]
        /// The score the point got; the sampler maximizes it. NaN ranks below every other score.
        public var score: Double

        /// Creates a trial.
        ///
        /// - Parameters:
        ///   - values: The value tried for each parameter.
        ///   - score: The score obtained.
        public init(values: [String: Int], score: Double) {
            self.values = values
            self.score = score
        }
    }
}
