/// Totals of a run as stored (or as aggregated in memory).
public struct StoredTotals: Sendable, Hashable, Codable {
    /// Examples with a result.
    public var examples: Int
    /// The sum of their scores.
    public var scoreSum: Double
    /// Failed examples.
    public var errors: Int
    /// LM calls that reached a model.
    public var lmCalls: Int
    /// Calls answered from a cache.
    public var cachedCalls: Int
    /// Prompt tokens.
    public var promptTokens: Int
    /// Completion tokens.
    public var completionTokens: Int
    /// For a compile run: the best score the optimizer measured, when it scored candidates.
    public var bestScore: Double?

    /// Creates totals.
    public init(
        examples: Int = 0, scoreSum: Double = 0, errors: Int = 0, lmCalls: Int = 0, cachedCalls: Int = 0,
        promptTokens: Int = 0, completionTokens: Int = 0
    ) {
        self.examples = examples
        self.scoreSum = scoreSum
        self.errors = errors
        self.lmCalls = lmCalls
        self.cachedCalls = cachedCalls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// The mean score, 0 to 1.
    public var score: Double { examples > 0 ? scoreSum / Double(examples) : 0 }
}
