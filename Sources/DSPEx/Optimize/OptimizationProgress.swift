/// A snapshot of a running optimization, sent as it changes: the stage, the trial, the best score so far and
/// what the run has spent.
///
/// ```swift
/// for await progress in job.events { print(progress) }
/// // search: trial 4 of 13 (minibatch) score 0.886 · best 0.910 · 412 LM calls · 81,204 tokens
/// ```
public struct OptimizationProgress: Sendable, Hashable, CustomStringConvertible {
    /// What the optimizer is doing: `bootstrap`, `propose`, `search`, `evaluate`, `done`.
    public var stage: String
    /// A line about the latest step, e.g. "candidate 3 of 6" or "trial 4 (minibatch)".
    public var detail: String
    /// The latest trial's number (1-based), when searching.
    public var trial: Int?
    /// The number of trials planned, when known.
    public var trials: Int?
    /// The latest trial's score.
    public var score: Double?
    /// The best full-evaluation score so far.
    public var bestScore: Double?
    /// LM calls made by this process for the run (the program's and the proposer's; cached answers excluded).
    public var lmCalls: Int
    /// Tokens (prompt + completion) of those calls.
    public var tokens: Int
    /// Example outcomes read back from the journal instead of being run again (recorded by an interrupted run, or
    /// earlier in this one for the same program).
    public var replayedResults: Int
    /// Example outcomes computed by this process.
    public var newResults: Int
    /// Metric calls spent so far, for optimizers with a metric-call budget (GEPA).
    public var metricCalls: Int?
    /// The metric-call budget, when the optimizer has one.
    public var metricCallBudget: Int?
    /// Candidates on the Pareto front of the validation examples, for optimizers that keep one (GEPA).
    public var paretoFrontSize: Int?
    /// Candidate programs kept so far, for optimizers with a candidate pool (GEPA).
    public var candidates: Int?

    /// Creates a snapshot.
    public init(
        stage: String = "start", detail: String = "", trial: Int? = nil, trials: Int? = nil, score: Double? = nil,
        bestScore: Double? = nil, lmCalls: Int = 0, tokens: Int = 0, replayedResults: Int = 0, newResults: Int = 0,
        metricCalls: Int? = nil, metricCallBudget: Int? = nil, paretoFrontSize: Int? = nil, candidates: Int? = nil
    ) {
        self.stage = stage
        self.detail = detail
        self.trial = trial
        self.trials = trials
        self.score = score
        self.bestScore = bestScore
        self.lmCalls = lmCalls
        self.tokens = tokens
        self.replayedResults = replayedResults
        self.newResults = newResults
        self.metricCalls = metricCalls
        self.metricCallBudget = metricCallBudget
        self.paretoFrontSize = paretoFrontSize
        self.candidates = candidates
    }

    public var description: String {
        var parts = ["\(stage)" + (detail.isEmpty ? "" : ": \(detail)")]
        if let trial {
            parts.append("trial \(trial)" + (trials.map { " of \($0)" } ?? ""))
        }
        if let score { parts.append(String(format: "score %.3f", score)) }
        if let bestScore { parts.append(String(format: "best %.3f", bestScore)) }
        if let metricCalls {
            parts.append("\(metricCalls)" + (metricCallBudget.map { " of \($0)" } ?? "") + " metric calls")
        }
        if let candidates { parts.append("\(candidates) candidates") }
        if let paretoFrontSize { parts.append("\(paretoFrontSize) on the Pareto front") }
        parts.append("\(lmCalls) LM calls")
        parts.append("\(tokens) tokens")
        if replayedResults > 0 { parts.append("\(replayedResults) results reused") }
        return parts.joined(separator: " · ")
    }
}
