/// Reflective prompt evolution — DSPy's `GEPA` (Agrawal et al., 2025), run as the `gepa` 0.1.4 engine runs it.
///
/// GEPA evolves the instructions of a program's predictors. It evaluates the program on the validation set, then,
/// until its budget of metric calls is spent, each iteration:
///
/// 1. **Merge** (with ``useMerge``, after an iteration that found a better candidate, at most
///    ``maxMergeInvocations`` times): two Pareto-front candidates with a common ancestor are combined predictor by
///    predictor, scored on a subsample of the validation set, and kept when not worse there than either parent.
/// 2. **Reflective mutation** otherwise: picks a candidate (``CandidateSelection/pareto`` or
///    ``CandidateSelection/currentBest``), runs it on the next minibatch of the epoch-shuffled training set with
///    traces, skips when every score is perfect (``skipPerfectScore``), picks the next predictor round robin, shows
///    the reflection model that predictor's inputs, outputs and the metric's feedback (``FeedbackMetric``), and runs
///    the child with the proposed instruction on the same minibatch. A child whose sum of scores is strictly greater
///    is evaluated on the whole validation set and joins the pool with its parent.
///
/// The candidate with the best mean validation score is returned (the earliest of equals). Metric calls are
/// counted as the engine counts them: every example scored, including minibatch runs whose results the journal
/// already had. As in gepa the budget is checked before each iteration, so the last one may end past it.
///
/// Every example outcome, reflection and non-local feedback is recorded in the context's journal, and every random
/// choice comes from generators seeded with ``seed``, so a killed run resumed with the same seed ends with the same
/// program without asking anything twice. The journal's keys:
///
/// - `eval/<program hash>`: validation results; `gepa/traced/<program hash>`: minibatch results with traces.
/// - `gepa/iteration/<NNNN>/reflection/<predictor>`: the reflection (`{"instruction", "reply"}`);
///   `gepa/iteration/<NNNN>/feedback/<predictor>/<position>`: a non-local metric's feedback.
/// - `gepa/iteration/<NNNN>` (1-based): what the iteration did — `kind` (`reflective`, `merge`), `outcome`
///   (`accepted`, `rejected`, `skipped_perfect`, `no_reflective_examples`, `no_proposal`, `no_merge`), `parents`,
///   `minibatch` (training positions, or validation positions for a merge), `predictor`, `scores_before`,
///   `scores_after`, `instruction`, `candidate` (the new index when accepted), `metric_calls`, `front`.
/// - `gepa/state`: the pool, front and budget after the latest iteration (layout in ``GEPAState``).
/// - `result`: `{"score", "candidate", "program"}`.
///
/// ```swift
/// let optimized = try await GEPA(
///     metric: .exactMatch(), reflectionLM: strongModel, auto: .light
/// ).compile(program, trainset: train, valset: dev)
/// ```
public struct GEPA: Optimizer {
    /// Scores predictions and explains the scores to the reflection model.
    public var metric: FeedbackMetric
    /// The model that proposes instructions (separate from the program's).
    public var reflectionLM: any LanguageModel
    /// The preset budget; exactly one of ``auto``, ``maxMetricCalls`` and ``maxFullEvals`` is set.
    public var auto: Auto?
    /// The budget as metric calls.
    public var maxMetricCalls: Int?
    /// The budget as full evaluations of the training plus validation sets.
    public var maxFullEvals: Int?
    /// How the candidate to mutate is picked.
    public var candidateSelection: CandidateSelection
    /// Training examples per reflective minibatch.
    public var reflectionMinibatchSize: Int
    /// Skip a minibatch on which the candidate scores ``perfectScore`` everywhere.
    public var skipPerfectScore: Bool
    /// The metric's best score.
    public var perfectScore: Double
    /// How the reflection model is asked (DSPy 3.4.1's `Predict` by default).
    public var reflectionPrompt: ReflectionPrompt
    /// Merge Pareto candidates that share an ancestor.
    public var useMerge: Bool
    /// The most merges accepted.
    public var maxMergeInvocations: Int
    /// Examples run at once per stage.
    public var concurrency: Int
    /// The seed of every random choice (DSPy's default is 0).
    public var seed: UInt64

    /// Creates the optimizer with DSPy's defaults; give exactly one of `auto`, `maxMetricCalls` and
    /// `maxFullEvals`.
    ///
    /// - Parameters:
    ///   - metric: The feedback metric (lift a plain one with ``FeedbackMetric/init(_:)``).
    ///   - reflectionLM: The model that proposes instructions.
    ///   - auto: A preset budget (see
    ///     ``autoBudget(predictors:candidates:validationCount:minibatchSize:fullEvalSteps:)``).
    ///   - maxMetricCalls: The budget in metric calls.
    ///   - maxFullEvals: The budget in full evaluations of the training plus validation sets.
    ///   - candidateSelection: `.pareto` or `.currentBest`.
    ///   - reflectionMinibatchSize: Training examples per reflective minibatch.
    ///   - skipPerfectScore: Skip minibatches already solved perfectly.
    ///   - perfectScore: The metric's best score.
    ///   - reflectionPrompt: `.dspy` (DSPy 3.4.1's proposer) or `.gepa` (gepa's template).
    ///   - useMerge: Try merges of candidates sharing an ancestor.
    ///   - maxMergeInvocations: The most merges accepted.
    ///   - concurrency: Examples run at once per stage.
    ///   - seed: The seed of every random choice.
    public init(
        metric: FeedbackMetric, reflectionLM: any LanguageModel, auto: Auto? = nil, maxMetricCalls: Int? = nil,
        maxFullEvals: Int? = nil, candidateSelection: CandidateSelection = .pareto, reflectionMinibatchSize: Int = 3,
        skipPerfectScore: Bool = true, perfectScore: Double = 1, reflectionPrompt: ReflectionPrompt = .dspy,
        useMerge: Bool = true, maxMergeInvocations: Int = 5, concurrency: Int = 16, seed: UInt64 = 0
    ) {
        self.metric = metric
        self.reflectionLM = reflectionLM
        self.auto = auto
        self.maxMetricCalls = maxMetricCalls
        self.maxFullEvals = maxFullEvals
        self.candidateSelection = candidateSelection
        self.reflectionMinibatchSize = reflectionMinibatchSize
        self.skipPerfectScore = skipPerfectScore
        self.perfectScore = perfectScore
        self.reflectionPrompt = reflectionPrompt
        self.useMerge = useMerge
        self.maxMergeInvocations = maxMergeInvocations
        self.concurrency = concurrency
        self.seed = seed
    }

    /// Mutates on `trainset` and tracks the Pareto front on `valset` (on `trainset` when there is none, as DSPy).
    public func compile(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        try await context.recording {
            guard !trainset.isEmpty else {
                throw OptimizeError(code: .invalidOptions, message: "the training set is empty")
            }
            if let valset, valset.isEmpty {
                throw OptimizeError(code: .invalidOptions, message: "the validation set is empty")
            }
            guard !program.namedPredictors.isEmpty else {
                throw OptimizeError(code: .invalidOptions, message: "GEPA needs a program with at least one predictor")
            }
            guard reflectionMinibatchSize > 0 else {
                throw OptimizeError(
                    code: .invalidOptions,
                    message: "the reflection minibatch size must be positive, got \(reflectionMinibatchSize)")
            }
            let budget = try metricCallBudget(
                predictors: program.namedPredictors.count, trainCount: trainset.count, validationCount: valset?.count)
            var engine = Engine(
                options: self, program: program, trainset: trainset, valset: valset ?? trainset, budget: budget,
                context: context)
            return try await engine.run()
        }
    }
}
