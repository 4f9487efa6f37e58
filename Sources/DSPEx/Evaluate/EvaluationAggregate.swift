/// The running reduce of an evaluation: sums and counts, seeded with a resumed run's stored totals.
struct EvaluationAggregate {
    let metricName: String
    var examples = 0
    var scoreSum = 0.0
    var errors = 0
    var lmCalls = 0
    var cachedCalls = 0
    var promptTokens = 0
    var completionTokens = 0
    var doneHere = 0
    var latencies = LatencyReservoir()

    init(metricName: String) {
        self.metricName = metricName
    }

    mutating func seed(with totals: StoredTotals) {
        examples = totals.examples
        scoreSum = totals.scoreSum
        errors = totals.errors
        lmCalls = totals.lmCalls
        cachedCalls = totals.cachedCalls
        promptTokens = totals.promptTokens
        completionTokens = totals.completionTokens
    }

    mutating func add(_ item: ScoredResult) {
        examples += 1
        doneHere += 1
        scoreSum += item.score
        if item.isError { errors += 1 }
        lmCalls += item.result.usage.lmCalls
        cachedCalls += item.result.usage.cachedCalls
        promptTokens += item.result.usage.tokens.promptTokens
        completionTokens += item.result.usage.tokens.completionTokens
        for (stage, usage) in item.result.stageUsage { latencies.add(stage: stage, latency: usage.latency) }
    }

    func progress(total: Int?, elapsed: Duration) -> EvaluationProgress {
        EvaluationProgress(
            done: examples, total: total, score: examples > 0 ? scoreSum / Double(examples) : 0, errors: errors,
            lmCalls: lmCalls, elapsed: elapsed, doneHere: doneHere)
    }

    func result(runName: String?) -> EvaluationResult {
        var result = EvaluationResult(runName: runName)
        result.apply(
            StoredTotals(
                examples: examples, scoreSum: scoreSum, errors: errors, lmCalls: lmCalls, cachedCalls: cachedCalls,
                promptTokens: promptTokens, completionTokens: completionTokens))
        result.stageLatency = latencies.summaries()
        return result
    }
}

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

extension EvaluationResult {
    mutating func apply(_ totals: StoredTotals) {
        examples = totals.examples
        score = totals.score
        errors = totals.errors
        lmCalls = totals.lmCalls
        cachedCalls = totals.cachedCalls
        promptTokens = totals.promptTokens
        completionTokens = totals.completionTokens
    }
}
