/// What a run ended with: an evaluation's result, or a compile run's program.
public enum RunOutcome: Sendable {
    /// An evaluation ended (completed, or stopped resumably: see ``EvaluationResult/stopReason``).
    case evaluated(EvaluatedRun)
    /// An optimization completed.
    case compiled(CompiledProgram)
}

/// An evaluation's result, with what its report needs besides.
public struct EvaluatedRun: Sendable {
    /// The result.
    public var result: EvaluationResult
    /// The metric's name (`exact_match`, `f1`, a judge's).
    public var metricName: String
    /// How many bad rows were skipped.
    public var skippedRows: Int
}

/// A compile run's optimized program and what producing it cost.
public struct CompiledProgram: Sendable {
    /// The optimized program.
    public var program: Graph
    /// The last progress: best score, calls, tokens, results reused.
    public var progress: OptimizationProgress
    /// How long this attempt took.
    public var elapsed: Duration
    /// Whether the run had already completed (the program is the stored one; nothing was run).
    public var wasAlreadyCompleted: Bool
}

/// Where a run reports as it goes: the run's name once it is open, and progress snapshots.
public struct RunObserver: Sendable {
    /// Called once the run is created or reopened, with its name.
    public var opened: @Sendable (String) -> Void
    /// An evaluation's progress.
    public var evaluation: @Sendable (EvaluationProgress) -> Void
    /// An optimization's progress.
    public var optimization: @Sendable (OptimizationProgress) -> Void

    /// Creates an observer; by default nothing is reported.
    public init(
        opened: @escaping @Sendable (String) -> Void = { _ in },
        evaluation: @escaping @Sendable (EvaluationProgress) -> Void = { _ in },
        optimization: @escaping @Sendable (OptimizationProgress) -> Void = { _ in }
    ) {
        self.opened = opened
        self.evaluation = evaluation
        self.optimization = optimization
    }
}
