import GRDB

/// One example's outcome in one run: a row of the `result` table, keyed by (`runId`, `exampleId`).
///
/// Written in batches by ``Store/insertResults(_:)`` or a ``ResultBatcher``; a run resumes by
/// skipping ``Store/completedExampleIDs(runID:)``.
///
/// ```swift
/// let record = ResultRecord(
///     runId: runID, exampleId: "ex-7", exampleIndex: 7, outputs: #"{"answer":5}"#, score: 1,
///     error: nil, lmCalls: 1, cachedCalls: 0, promptTokens: 120, completionTokens: 8, latencyMs: 41.5)
/// ```
public struct ResultRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "result"

    /// The run this result belongs to.
    public var runId: Int64
    /// The example's stable id.
    public var exampleId: String
    /// The example's 0-based position in the dataset.
    public var exampleIndex: Int
    /// The program's outputs as JSON text (an object).
    public var outputs: String
    /// The metric's score, `nil` when there is none.
    public var score: Double?
    /// Why the example failed, `nil` when it did not.
    public var error: String?
    /// What kind of failure it was (`adapter:missing_fields`, `lm:timeout`, `metric`), `nil` when it did not fail.
    public var errorKind: String?
    /// LM calls that reached a model.
    public var lmCalls: Int
    /// LM calls answered from a cache.
    public var cachedCalls: Int
    /// LM calls that failed after their attempts.
    public var failedCalls: Int
    /// HTTP requests sent for the example (every attempt).
    public var requests: Int
    /// Prompt tokens.
    public var promptTokens: Int
    /// Completion tokens.
    public var completionTokens: Int
    /// Wall time of the example, in milliseconds.
    public var latencyMs: Double

    /// Creates a result record.
    public init(
        runId: Int64, exampleId: String, exampleIndex: Int, outputs: String, score: Double?, error: String?,
        lmCalls: Int = 0, cachedCalls: Int = 0, failedCalls: Int = 0, requests: Int? = nil, promptTokens: Int = 0,
        completionTokens: Int = 0, latencyMs: Double = 0, errorKind: String? = nil
    ) {
        self.errorKind = errorKind ?? error.map { _ in "error" }
        self.failedCalls = failedCalls
        self.requests = requests ?? (lmCalls + failedCalls)
        self.runId = runId
        self.exampleId = exampleId
        self.exampleIndex = exampleIndex
        self.outputs = outputs
        self.score = score
        self.error = error
        self.lmCalls = lmCalls
        self.cachedCalls = cachedCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.latencyMs = latencyMs
    }
}
