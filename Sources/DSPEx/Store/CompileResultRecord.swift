import GRDB

/// One example's outcome within one step of a compile run (a bootstrap round, a candidate's evaluation): a row of
/// the `compileResult` table, keyed by (`runId`, `step`, `exampleId`).
///
/// Written as each example finishes, so a killed optimization loses no finished work: on resume the step runs
/// only the examples without a row.
///
/// ```swift
/// let record = CompileResultRecord(
///     runId: id, step: "eval/3f2a…", exampleId: "dev-0007", exampleIndex: 7, outputs: #"{"answer":5}"#,
///     score: 1, error: nil, trace: nil, lmCalls: 1, cachedCalls: 0, promptTokens: 120, completionTokens: 8)
/// ```
public struct CompileResultRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "compileResult"

    /// The compile run.
    public var runId: Int64
    /// The step the example ran in.
    public var step: String
    /// The example's stable id.
    public var exampleId: String
    /// The example's position in the list the step ran over.
    public var exampleIndex: Int
    /// The program's outputs as JSON text (an object).
    public var outputs: String
    /// The metric's score (0 for a failed example).
    public var score: Double
    /// Why the example failed, `nil` when it did not.
    public var error: String?
    /// The predictor calls as JSON text, when the step keeps traces (bootstrapping).
    public var trace: String?
    /// LM calls that reached a model.
    public var lmCalls: Int
    /// LM calls answered from a cache.
    public var cachedCalls: Int
    /// LM calls that failed after their attempts.
    public var failedCalls: Int
    /// HTTP requests sent (every attempt).
    public var requests: Int
    /// Prompt tokens.
    public var promptTokens: Int
    /// Completion tokens.
    public var completionTokens: Int

    /// Creates a result record.
    public init(
        runId: Int64, step: String, exampleId: String, exampleIndex: Int, outputs: String, score: Double,
        error: String?, trace: String?, lmCalls: Int, cachedCalls: Int, failedCalls: Int = 0, requests: Int? = nil,
        promptTokens: Int, completionTokens: Int
    ) {
        self.failedCalls = failedCalls
        self.requests = requests ?? (lmCalls + failedCalls)
        self.runId = runId
        self.step = step
        self.exampleId = exampleId
        self.exampleIndex = exampleIndex
        self.outputs = outputs
        self.score = score
        self.error = error
        self.trace = trace
        self.lmCalls = lmCalls
        self.cachedCalls = cachedCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}
