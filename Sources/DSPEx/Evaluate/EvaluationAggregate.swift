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
