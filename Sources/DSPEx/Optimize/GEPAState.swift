/// GEPA's candidate pool: every accepted candidate's instructions, parents and per-example validation scores, the
/// Pareto front per validation example, and the metric calls spent — the gepa engine's `GEPAState`.
///
/// ``GEPA`` records it in the journal under `gepa/state` after the seed's evaluation and after every iteration, so
/// a run's candidate tree can be shown later (``init(_:)`` reads the record back). Layout of the record (JSON):
///
/// ```text
/// {
///   "predictors": ["solve", ...],              // the optimized predictors, in program order
///   "candidates": [                            // index 0 is the seed program
///     {"instructions": {"solve": "..."}, "parents": [0], "scores": [1.0, 0.0, ...],
///      "mean": 0.5, "discovered_at": 120}      // metric calls spent when it was found
///   ],
///   "front": [[0, 2], [1], ...],               // per validation example: the candidates with its best score
///   "front_scores": [1.0, 0.0, ...],           // that best score
///   "iteration": 7,                            // 0-based, as gepa's state.i (-1 before the first)
///   "metric_calls": 412, "budget": 780, "full_evaluations": 3,
///   "best": 2                                  // the candidate with the best mean (the first among ties)
/// }
/// ```
public struct GEPAState: Sendable, Hashable {
    /// The optimized predictors' names, in program order (gepa's `list_of_named_predictors`).
    public internal(set) var predictorNames: [String]
    /// Each candidate's instructions, aligned with ``predictorNames``.
    public internal(set) var candidates: [[String]]
    /// Each candidate's parents (empty for the seed; two for a merge).
    public internal(set) var parents: [[Int]]
    /// Each candidate's score on every validation example, in validation-set order.
    public internal(set) var validationScores: [[Double]]
    /// Metric calls spent when each candidate was found (gepa's `num_metric_calls_by_discovery`).
    public internal(set) var discoveredAt: [Int]
    /// The predictor each candidate's next reflective mutation updates (round robin).
    public internal(set) var nextPredictor: [Int]
    /// The best score seen on each validation example.
    public internal(set) var frontScores: [Double]
    /// The candidates reaching ``frontScores`` on each validation example, ascending.
    public internal(set) var front: [[Int]]
    /// The iteration, 0-based (-1 before the first).
    public internal(set) var iteration: Int
    /// Metric calls spent: every example scored, as the gepa engine counts them.
    public internal(set) var metricCalls: Int
    /// The metric-call budget.
    public internal(set) var budget: Int
    /// Full validation-set evaluations made.
    public internal(set) var fullEvaluations: Int

    /// The pool with the seed candidate evaluated on the validation set.
    init(predictorNames: [String], seed: [String], scores: [Double], budget: Int) {
        self.predictorNames = predictorNames
        candidates = [seed]
        parents = [[]]
        validationScores = [scores]
        discoveredAt = [0]
        nextPredictor = [0]
        frontScores = scores
        front = scores.map { _ in [0] }
        iteration = -1
        metricCalls = scores.count
        self.budget = budget
        fullEvaluations = 1
    }

    /// Each candidate's mean validation score.
    public var meanScores: [Double] {
        validationScores.map { $0.isEmpty ? -.infinity : $0.reduce(0, +) / Double($0.count) }
    }

    /// The candidate with the best mean validation score; the first of equals (gepa's `best_idx`).
    public var bestIndex: Int {
        let means = meanScores
        var best = 0
        for index in means.indices where means[index] > means[best] { best = index }
        return best
    }

    /// The candidates on the Pareto front of some validation example, ascending.
    public var frontMembers: [Int] {
        Array(Set(front.flatMap { $0 })).sorted()
    }

    /// Adds an evaluated candidate with its parents and returns its index; the front is updated per example and
    /// its round-robin position is the furthest of its parents'.
    @discardableResult
    mutating func add(_ instructions: [String], parents: [Int], scores: [Double], discoveredAt calls: Int) -> Int {
        let index = candidates.count
        candidates.append(instructions)
        self.parents.append(parents)
        validationScores.append(scores)
        discoveredAt.append(calls)
        nextPredictor.append(parents.map { nextPredictor[$0] }.max() ?? 0)
        for (example, score) in scores.enumerated() where example < frontScores.count {
            if score > frontScores[example] {
                frontScores[example] = score
                front[example] = [index]
            } else if score == frontScores[example] {
                front[example].append(index)
            }
        }
        return index
    }

    /// Takes the predictor to update in `candidate` and advances its round robin (gepa's `round_robin` selector).
    mutating func takeNextPredictor(of candidate: Int) -> Int {
        let position = nextPredictor[candidate]
        nextPredictor[candidate] = (position + 1) % max(1, predictorNames.count)
        return position
    }

    /// The record kept under `gepa/state` (see the type's documentation).
    public var value: Value {
        let means = meanScores
        let records = candidates.indices.map { index -> Value in
            var instructions: [(String, Value)] = []
            for (name, text) in zip(predictorNames, candidates[index]) { instructions.append((name, .string(text))) }
            return [
                "instructions": .object(.init(uniqueKeysWithValues: instructions)),
                "parents": .array(parents[index].map(Value.int)),
                "scores": .array(validationScores[index].map(Value.double)),
                "mean": .double(means[index]), "discovered_at": .int(discoveredAt[index]),
            ]
        }
        return [
            "predictors": .array(predictorNames.map(Value.string)), "candidates": .array(records),
            "front": .array(front.map { .array($0.map(Value.int)) }),
            "front_scores": .array(frontScores.map(Value.double)), "iteration": .int(iteration),
            "metric_calls": .int(metricCalls), "budget": .int(budget), "full_evaluations": .int(fullEvaluations),
            "best": .int(bestIndex),
        ]
    }

    /// Reads a `gepa/state` record back; `nil` when it is not one.
    public init?(_ value: Value) {
        guard let names = value["predictors"]?.arrayValue?.compactMap(\.stringValue),
            let records = value["candidates"]?.arrayValue, !records.isEmpty
        else { return nil }
        predictorNames = names
        candidates = records.map { record in names.map { record["instructions"]?[$0]?.stringValue ?? "" } }
        parents = records.map { $0["parents"]?.arrayValue?.compactMap(\.intValue) ?? [] }
        validationScores = records.map { $0["scores"]?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        discoveredAt = records.map { $0["discovered_at"]?.intValue ?? 0 }
        nextPredictor = records.map { _ in 0 }
        front = value["front"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.intValue) ?? [] } ?? []
        frontScores = value["front_scores"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        iteration = value["iteration"]?.intValue ?? -1
        metricCalls = value["metric_calls"]?.intValue ?? 0
        budget = value["budget"]?.intValue ?? 0
        fullEvaluations = value["full_evaluations"]?.intValue ?? 0
    }
}
