/// Which optimizer a compile run uses and with which parameters — the one place an optimizer is made from a
/// plan, so every optimizer gets the seed.
public struct OptimizerPlan: Sendable, Hashable, Codable {
    /// The optimizers a plan can name.
    public enum Name: String, Sendable, Hashable, Codable, CaseIterable {
        /// ``LabeledFewShot``.
        case labeled
        /// ``BootstrapFewShot``.
        case bootstrap
        /// ``BootstrapFewShotWithRandomSearch``.
        case randomSearch = "random-search"
        /// ``MIPROv2``.
        case mipro
        /// ``COPRO``.
        case copro
    }

    /// The optimizer.
    public var name: Name
    /// The seed of every random choice; `nil` is the optimizer's default (MIPROv2's DSPy default 9, others 0).
    public var seed: UInt64?
    /// MIPROv2's preset budget.
    public var auto: MIPROv2.Auto
    /// The most labeled demos per predictor (`nil`: 16, MIPROv2 4).
    public var maxDemos: Int?
    /// The most bootstrapped demos per predictor.
    public var maxBootstrappedDemos: Int
    /// Random search: shuffled bootstrap candidates.
    public var numCandidatePrograms: Int
    /// COPRO: candidates per round.
    public var breadth: Int
    /// COPRO: rounds.
    public var depth: Int
    /// Examples run at once per stage while optimizing.
    public var concurrency: Int

    /// Creates a plan with DSPy's defaults.
    public init(
        name: Name, seed: UInt64? = nil, auto: MIPROv2.Auto = .light, maxDemos: Int? = nil,
        maxBootstrappedDemos: Int = 4, numCandidatePrograms: Int = 16, breadth: Int = 10, depth: Int = 3,
        concurrency: Int = 16
    ) {
        self.name = name
        self.seed = seed
        self.auto = auto
        self.maxDemos = maxDemos
        self.maxBootstrappedDemos = maxBootstrappedDemos
        self.numCandidatePrograms = numCandidatePrograms
        self.breadth = breadth
        self.depth = depth
        self.concurrency = concurrency
    }

    /// The optimizer, scoring with `metric`; `promptModel` proposes instructions (MIPROv2, COPRO).
    public func makeOptimizer(metric: Metric, promptModel: any LanguageModel) -> any Optimizer {
        let seed = self.seed ?? 0
        switch name {
        case .labeled:
            return LabeledFewShot(k: maxDemos ?? 16, seed: seed)
        case .bootstrap:
            return BootstrapFewShot(
                metric: metric, maxBootstrappedDemos: maxBootstrappedDemos, maxLabeledDemos: maxDemos ?? 16,
                concurrency: concurrency, seed: seed)
        case .randomSearch:
            return BootstrapFewShotWithRandomSearch(
                metric: metric, maxBootstrappedDemos: maxBootstrappedDemos, maxLabeledDemos: maxDemos ?? 16,
                numCandidatePrograms: numCandidatePrograms, concurrency: concurrency, seed: seed)
        case .mipro:
            return MIPROv2(
                metric: metric, promptModel: promptModel, auto: auto, maxBootstrappedDemos: maxBootstrappedDemos,
                maxLabeledDemos: maxDemos ?? 4, seed: self.seed ?? 9, concurrency: concurrency)
        case .copro:
            return COPRO(
                metric: metric, promptModel: promptModel, breadth: breadth, depth: depth, concurrency: concurrency,
                seed: seed)
        }
    }
}
