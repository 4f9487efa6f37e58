extension TPESampler {
    /// Options for ``TPESampler``, with Optuna's defaults.
    ///
    /// ```swift
    /// let sampler = TPESampler(parameters: parameters, seed: 0, configuration: .init(startupTrials: 5))
    /// ```
    public struct Configuration: Sendable, Hashable {
        /// How many suggestions are uniformly random before the model takes over (Optuna's `n_startup_trials`).
        public var startupTrials = 10
        /// How many points are drawn from the good trials' model per suggestion; the most promising is suggested
        /// (Optuna's `n_ei_candidates`). Values below 1 count as 1.
        public var candidates = 24
        /// The weight of the uniform prior kernel in both models, and the smoothing each trial's kernel gets
        /// (Optuna's `prior_weight`); must be finite and non-negative.
        public var priorWeight = 1.0

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - startupTrials: Random suggestions before the model is used.
        ///   - candidates: Candidates drawn per model-based suggestion.
        ///   - priorWeight: Weight of the uniform prior; finite and non-negative.
        public init(startupTrials: Int = 10, candidates: Int = 24, priorWeight: Double = 1.0) {
            self.startupTrials = startupTrials
            self.candidates = candidates
            self.priorWeight = priorWeight
        }
    }
}
