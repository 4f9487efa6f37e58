/// The running reduce of an evaluation: sums and counts, seeded with a resumed run's stored totals.
struct EvaluationAggregate {
    let metricName: String
    var totals = StoredTotals()
    var doneHere = 0
    var latencies = LatencyReservoir()

    init(metricName: String) {
        self.metricName = metricName
    }

    mutating func seed(with stored: StoredTotals) {
        totals = stored
    }

    mutating func add(_ item: ScoredResult) {
        totals.examples += 1
        doneHere += 1
        totals.scoreSum += item.score
        if item.isError { totals.errors += 1 }
        totals = totals.adding(item.result.usage)
        for (stage, usage) in item.result.stageUsage { latencies.add(stage: stage, latency: usage.latency) }
    }

    func progress(total: Int?, elapsed: Duration) -> EvaluationProgress {
        EvaluationProgress(
            done: totals.examples, total: total, score: totals.score, errors: totals.errors, lmCalls: totals.lmCalls,
            elapsed: elapsed, doneHere: doneHere)
    }

    func result(runName: String?) -> EvaluationResult {
        var result = EvaluationResult(runName: runName)
        result.apply(totals)
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
        failedCalls = totals.failedCalls
        requests = totals.requests
        promptTokens = totals.promptTokens
        completionTokens = totals.completionTokens
    }
}
