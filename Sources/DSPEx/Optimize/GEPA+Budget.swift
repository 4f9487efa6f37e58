import Foundation

extension GEPA {
    /// DSPy's preset budgets for GEPA (`AUTO_RUN_SETTINGS`: 6, 12 or 18 candidates the metric-call budget is
    /// planned for, see `GEPA.autoBudget`) — the same presets and candidate counts as MIPROv2's, so one type.
    public typealias Auto = MIPROv2.Auto

    /// DSPy's `auto_budget`: the metric calls a MIPROv2-like search of `candidates` candidates would make.
    ///
    /// With N = ⌊max(2 · 2·predictors · log₂ candidates, 1.5 · candidates)⌋ trials, V validation examples, M the
    /// minibatch size and m the full-evaluation period: V (the seed's evaluation) + 5 · candidates
    /// (bootstrapping) + N · M (minibatches) + ((N + 1) / m + 1 + (N < m ? 1 : 0)) · V (periodic full
    /// evaluations; none when N = 0).
    ///
    /// ```swift
    /// GEPA.autoBudget(predictors: 1, candidates: 6, validationCount: 100)   // 780
    /// ```
    public static func autoBudget(
        predictors: Int, candidates: Int, validationCount: Int, minibatchSize: Int = 35, fullEvalSteps: Int = 5
    ) -> Int {
        let trials = Int(
            max(2 * Double(predictors * 2) * log2(Double(max(1, candidates))), 1.5 * Double(candidates)))
        var total = validationCount + candidates * 5 + trials * minibatchSize
        guard trials > 0 else { return total }
        let periodicFulls = (trials + 1) / max(1, fullEvalSteps) + 1
        let extraFinal = trials < fullEvalSteps ? 1 : 0
        total += (periodicFulls + extraFinal) * validationCount
        return total
    }

    /// The run's metric-call budget, as DSPy's `compile` sets `max_metric_calls`: from ``auto`` (with the number of
    /// predictors, at least 1, and the validation set's size — the training set's when there is none), from
    /// ``maxFullEvals`` (times the training plus validation examples), or ``maxMetricCalls`` as given.
    ///
    /// - Throws: ``OptimizeError`` unless exactly one of the three is set.
    public func metricCallBudget(predictors: Int, trainCount: Int, validationCount: Int?) throws -> Int {
        let set = [auto != nil, maxMetricCalls != nil, maxFullEvals != nil].count { $0 }
        guard set == 1 else {
            throw OptimizeError(
                code: .invalidOptions,
                message: "GEPA needs exactly one of auto, maxMetricCalls and maxFullEvals; \(set) are set")
        }
        if let auto {
            return Self.autoBudget(
                predictors: max(predictors, 1), candidates: auto.candidates,
                validationCount: validationCount ?? trainCount)
        }
        if let maxFullEvals { return maxFullEvals * (trainCount + (validationCount ?? 0)) }
        return maxMetricCalls ?? 0
    }
}
