import OrderedCollections

extension SIMBA {
    /// What a SIMBA run returns: the best program, and what DSPy attaches to it as `candidate_programs` and
    /// `trial_logs`.
    ///
    /// ```swift
    /// let outcome = try await SIMBA(metric: .exactMatch(), promptModel: lm).optimize(
    ///     program, trainset: train, valset: nil, context: OptimizationContext())
    /// outcome.candidatePrograms.first?.score   // the best average score
    /// ```
    public struct Outcome: Sendable {
        /// A validated program with its average score.
        public struct Candidate: Sendable {
            /// The average score on the training set (or the validation set when one was given).
            public var score: Double
            /// The program.
            public var program: Graph
        }

        /// The best validated program (the first of equals, in step order).
        public var program: Graph
        /// Its average score.
        public var score: Double
        /// Every validated program, best first (equal scores in step order).
        public var candidatePrograms: [Candidate]
        /// DSPy's `trial_logs`: an entry per step, where `train_score` is the score of the validated program one
        /// after it in the validation order (DSPy's bookkeeping, kept).
        public var trialLogs: OrderedDictionary<Int, OrderedDictionary<String, Value>>

        /// ``trialLogs`` as a JSON object keyed by step number.
        var trialLogsValue: Value {
            .object(OrderedDictionary(uniqueKeysWithValues: trialLogs.map { (String($0.key), .object($0.value)) }))
        }
    }
}
