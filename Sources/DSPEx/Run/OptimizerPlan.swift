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
        /// ``SIMBA``.
        case simba
        /// ``GEPA``.
        case gepa
    }

    /// The optimizer.
    public var name: Name
    /// The seed of every random choice; `nil` is the optimizer's default (MIPROv2's DSPy default 9, others 0).
    public var seed: UInt64?
    /// MIPROv2's preset budget; GEPA's too, unless ``maxMetricCalls`` or ``maxFullEvals`` is given.
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
    /// SIMBA: examples per minibatch (`nil`: DSPy's 32).
    public var bsize: Int?
    /// SIMBA: candidate programs per step (`nil`: DSPy's 6).
    public var numCandidates: Int?
    /// SIMBA: steps (`nil`: DSPy's 8).
    public var maxSteps: Int?
    /// GEPA: the budget in metric calls, instead of `auto`.
    public var maxMetricCalls: Int?
    /// GEPA: the budget in full validation evaluations, instead of `auto`.
    public var maxFullEvals: Int?
    /// GEPA: examples per reflection minibatch (`nil`: DSPy's 3).
    public var reflectionMinibatchSize: Int?
    /// GEPA: merge Pareto candidates (`nil`: DSPy's true).
    public var useMerge: Bool?
    /// GEPA: how the reflection model is asked — `dspy` (DSPy 3.4.1's ProposeInstruction through the JSON adapter,
    /// the default) or `gepa` (gepa's plain-text template, the instruction read from a ``` block).
    public var reflectionPrompt: String?
    /// The model that reflects on the program's runs and proposes (SIMBA's rules, GEPA's instructions), when not
    /// the task model: its settings over the run's (a model name alone reuses the run's server). No key is stored,
    /// only the name of its variable.
    public var reflectionLM: LMOverrides?

    /// Creates a plan with DSPy's defaults.
    public init(
        name: Name, seed: UInt64? = nil, auto: MIPROv2.Auto = .light, maxDemos: Int? = nil,
        maxBootstrappedDemos: Int = 4, numCandidatePrograms: Int = 16, breadth: Int = 10, depth: Int = 3,
        concurrency: Int = 16, bsize: Int? = nil, numCandidates: Int? = nil, maxSteps: Int? = nil,
        reflectionLM: LMOverrides? = nil, maxMetricCalls: Int? = nil, maxFullEvals: Int? = nil,
        reflectionMinibatchSize: Int? = nil, useMerge: Bool? = nil, reflectionPrompt: String? = nil
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
        self.bsize = bsize
        self.numCandidates = numCandidates
        self.maxSteps = maxSteps
        self.reflectionLM = reflectionLM
        self.maxMetricCalls = maxMetricCalls
        self.maxFullEvals = maxFullEvals
        self.reflectionMinibatchSize = reflectionMinibatchSize
        self.useMerge = useMerge
        self.reflectionPrompt = reflectionPrompt
    }

    /// The optimizer, scoring with `metric` (GEPA with `feedbackMetric`, else `metric` with DSPy's default
    /// feedback); `promptModel` proposes instructions (MIPROv2, COPRO, GEPA's reflection) and writes SIMBA's rules.
    public func makeOptimizer(
        metric: Metric, promptModel: any LanguageModel, feedbackMetric: FeedbackMetric? = nil
    ) -> any Optimizer {
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
        case .simba:
            return SIMBA(
                metric: metric, bsize: bsize ?? 32, numCandidates: numCandidates ?? 6, maxSteps: maxSteps ?? 8,
                maxDemos: maxDemos ?? 4, promptModel: promptModel, concurrency: concurrency, seed: seed)
        case .gepa:
            let budgeted = maxMetricCalls != nil || maxFullEvals != nil
            return GEPA(
                metric: feedbackMetric ?? FeedbackMetric(metric), reflectionLM: promptModel,
                auto: budgeted ? nil : auto, maxMetricCalls: maxMetricCalls,
                maxFullEvals: maxFullEvals, reflectionMinibatchSize: reflectionMinibatchSize ?? 3,
                reflectionPrompt: reflectionPrompt == "gepa" ? .gepa : .dspy, useMerge: useMerge ?? true,
                concurrency: concurrency, seed: seed)
        }
    }
}
