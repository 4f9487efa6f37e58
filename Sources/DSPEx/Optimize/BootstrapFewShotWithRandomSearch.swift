/// Builds several candidate programs and keeps the one that scores best on the validation set — DSPy's
/// `BootstrapFewShotWithRandomSearch`.
///
/// The candidates are DSPy's: the zero-shot program, a labeled-only program (``LabeledFewShot``), an unshuffled
/// ``BootstrapFewShot``, and `numCandidatePrograms` bootstraps over a seeded shuffle of the training set, each
/// with a seeded number of bootstrapped demos between 1 and `maxBootstrappedDemos`. Ties keep the earlier candidate.
///
/// ```swift
/// let optimized = try await BootstrapFewShotWithRandomSearch(metric: .exactMatch(), numCandidatePrograms: 8)
///     .compile(program, trainset: trainset, valset: valset)
/// ```
public struct BootstrapFewShotWithRandomSearch: Optimizer {
    /// One candidate program's recipe.
    public struct Candidate: Sendable, Hashable, CustomStringConvertible {
        /// How the candidate is built.
        public enum Kind: String, Sendable, Hashable {
            /// The program as given.
            case zeroShot = "zero_shot"
            /// Labeled demos only.
            case labeledOnly = "labeled_only"
            /// Bootstrap over the training set in order.
            case unshuffled
            /// Bootstrap over a seeded shuffle of the training set.
            case shuffled
        }

        /// How the candidate is built.
        public var kind: Kind
        /// DSPy's candidate seed: -3, -2, -1, then `seed ..< seed + numCandidatePrograms` (DSPy: 0 ..< n).
        public var seed: Int
        /// The bootstrapped demos allowed per predictor.
        public var bootstrappedDemos: Int

        public var description: String { "\(kind.rawValue)(seed \(seed), \(bootstrappedDemos) bootstrapped)" }
    }

    /// Scores predictions, during bootstrapping and validation.
    public var metric: Metric
    /// A bootstrapped prediction is accepted when its score reaches this; `nil` accepts any score above 0.
    public var metricThreshold: Double?
    /// The most bootstrapped demos per predictor.
    public var maxBootstrappedDemos: Int
    /// The most demos per predictor in all.
    public var maxLabeledDemos: Int
    /// Bootstrapping passes over the training set.
    public var maxRounds: Int
    /// How many shuffled bootstrap candidates to build (beyond the three fixed ones).
    public var numCandidatePrograms: Int
    /// Examples run at once per stage.
    public var concurrency: Int
    /// The first shuffled candidate's seed; the others follow it. DSPy has no such parameter and uses 0 ..< n,
    /// which the default 0 reproduces; another seed gives other shuffles and demo counts.
    public var seed: UInt64

    /// Creates the optimizer with DSPy's defaults.
    public init(
        metric: Metric, metricThreshold: Double? = nil, maxBootstrappedDemos: Int = 4, maxLabeledDemos: Int = 16,
        maxRounds: Int = 1, numCandidatePrograms: Int = 16, concurrency: Int = 16, seed: UInt64 = 0
    ) {
        self.seed = seed
        self.metric = metric
        self.metricThreshold = metricThreshold
        self.maxBootstrappedDemos = maxBootstrappedDemos
        self.maxLabeledDemos = maxLabeledDemos
        self.maxRounds = maxRounds
        self.numCandidatePrograms = numCandidatePrograms
        self.concurrency = concurrency
    }

    /// The candidates in the order DSPy builds them.
    public func candidates() -> [Candidate] {
        var list = [
            Candidate(kind: .zeroShot, seed: -3, bootstrappedDemos: 0),
            Candidate(kind: .labeledOnly, seed: -2, bootstrappedDemos: 0),
            Candidate(kind: .unshuffled, seed: -1, bootstrappedDemos: maxBootstrappedDemos),
        ]
        let first = Int(truncatingIfNeeded: seed)
        for seed in first..<(first + max(0, numCandidatePrograms)) {
            var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: seed))
            let size = Int.random(in: 1...max(1, maxBootstrappedDemos), using: &generator)
            list.append(Candidate(kind: .shuffled, seed: seed, bootstrappedDemos: size))
        }
        return list
    }

    /// The training set as a candidate sees it: shuffled with the candidate's seed for shuffled candidates.
    public func trainset(for candidate: Candidate, from trainset: [Example]) -> [Example] {
        guard candidate.kind == .shuffled else { return trainset }
        var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: candidate.seed) &+ 0x5EED)
        return trainset.shuffled(using: &generator)
    }

    public func compile(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        try await context.recording {
            try await optimize(program, trainset: trainset, valset: valset, context: context)
        }
    }

    private func optimize(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        let validation = valset ?? trainset
        var best: (score: Double, program: Graph)?
        let all = candidates()
        for (number, candidate) in all.enumerated() {
            context.enter("bootstrap", detail: "candidate \(number + 1) of \(all.count): \(candidate)")
            let built = try await self.program(for: candidate, from: program, trainset: trainset, context: context)
            try await context.journal.record(
                ["candidate": .string(candidate.description), "program": built.savedState()],
                for: "candidate/\(String(format: "%03d", number))")
            context.enter("evaluate", detail: "candidate \(number + 1) of \(all.count) on \(validation.count) examples")
            let score = try await JournaledStep(context: context, metric: metric, concurrency: concurrency)
                .meanScore(of: built, on: validation)
            if best == nil || score > (best?.score ?? 0) { best = (score, built) }
            let bestScore = best?.score
            context.update {
                $0.trial = number + 1
                $0.trials = all.count
                $0.score = score
                $0.bestScore = bestScore
            }
        }
        return best?.program ?? program
    }

    /// Builds one candidate program: the student as is, with labeled demos, or bootstrapped over the candidate's
    /// view of the training set.
    public func program(
        for candidate: Candidate, from program: Graph, trainset: [Example], context: OptimizationContext
    ) async throws -> Graph {
        let examples = self.trainset(for: candidate, from: trainset)
        switch candidate.kind {
        case .zeroShot:
            return program
        case .labeledOnly:
            return try await LabeledFewShot(k: maxLabeledDemos).compile(program, trainset: examples)
        case .unshuffled, .shuffled:
            return try await BootstrapFewShot(
                metric: metric, metricThreshold: metricThreshold, maxBootstrappedDemos: candidate.bootstrappedDemos,
                maxLabeledDemos: maxLabeledDemos, maxRounds: maxRounds, concurrency: concurrency
            ).compile(program, trainset: examples, valset: nil, context: context)
        }
    }
}
