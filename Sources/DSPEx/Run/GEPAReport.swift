import OrderedCollections

/// What a GEPA compile run found, read from its `gepa/state` journal record: the budget spent, the candidate tree
/// and the Pareto front — for `dspex show` and anything else that reports a GEPA run.
///
/// Use ``RunReport/gepa(in:)`` to read it for a stored run; it is `nil` for runs of other optimizers.
///
/// ```swift
/// if let gepa = try RunReport.named("gepa-1", in: store).gepa(in: store) {
///     print("\(gepa.metricCalls) of \(gepa.budget) metric calls")
///     for (depth, candidate) in gepa.tree { print(String(repeating: " ", count: depth), candidate.summary()) }
/// }
/// ```
public struct GEPAReport: Sendable, Hashable {
    /// One candidate program of the pool.
    public struct Candidate: Sendable, Hashable {
        /// Its index in the pool; 0 is the seed program.
        public var index: Int
        /// The candidates it was made from: none for the seed, one for a reflective mutation, two for a merge.
        public var parents: [Int]
        /// Its mean score on the validation set, 0 to 1; `nil` when it has no scores.
        public var meanScore: Double?
        /// The metric calls spent when it was found.
        public var discoveredAt: Int
        /// Its instruction for each optimized predictor, in program order.
        public var instructions: OrderedDictionary<String, String>

        /// Its instructions on one line of at most `maxLength` characters: whitespace collapsed, predictors
        /// prefixed with their name when there are several, and an ellipsis where it is cut.
        public func summary(maxLength: Int = 80) -> String {
            let parts = instructions.map { name, text in
                let line = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                return instructions.count > 1 ? "\(name): \(line)" : line
            }
            let line = parts.joined(separator: " | ")
            guard line.count > maxLength else { return line }
            return String(line.prefix(max(0, maxLength - 1))) + "…"
        }

        /// The candidate as JSON: index, parents, mean score, discovered at, instructions.
        public var value: Value {
            [
                "index": .int(index), "parents": .array(parents.map(Value.int)),
                "mean": meanScore.map(Value.double) ?? .null, "discovered_at": .int(discoveredAt),
                "instructions": .object(instructions.mapValues(Value.string)),
            ]
        }
    }

    /// Every candidate, by index.
    public var candidates: [Candidate]
    /// The candidates on the Pareto front of some validation example, ascending.
    public var front: [Int]
    /// The candidate with the best mean validation score (the one the run returns).
    public var best: Int
    /// Iterations run.
    public var iterations: Int
    /// Metric calls spent (every example scored, as the gepa engine counts them).
    public var metricCalls: Int
    /// The budget in metric calls (the last iteration may end past it).
    public var budget: Int
    /// Full validation-set evaluations made.
    public var fullEvaluations: Int

    /// The report of a GEPA pool.
    public init(_ state: GEPAState) {
        candidates = state.candidates.indices.map { index in
            let scores = state.validationScores[index]
            var instructions = OrderedDictionary<String, String>()
            for (name, text) in zip(state.predictorNames, state.candidates[index]) { instructions[name] = text }
            return Candidate(
                index: index, parents: state.parents[index],
                meanScore: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
                discoveredAt: state.discoveredAt[index], instructions: instructions)
        }
        front = state.frontMembers
        best = state.bestIndex
        iterations = state.iteration + 1
        metricCalls = state.metricCalls
        budget = state.budget
        fullEvaluations = state.fullEvaluations
    }

    /// The candidates in tree order: each after the candidate it was made from (its first parent), at one more
    /// depth, siblings by index; the seed — and any candidate whose first parent is not an earlier one — at depth 0.
    public var tree: [(depth: Int, candidate: Candidate)] {
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        for candidate in candidates {
            if let parent = candidate.parents.first, parent >= 0, parent < candidate.index {
                children[parent, default: []].append(candidate.index)
            } else {
                roots.append(candidate.index)
            }
        }
        var ordered: [(depth: Int, candidate: Candidate)] = []
        var pending = roots.reversed().map { (depth: 0, index: $0) }
        while let next = pending.popLast() {
            ordered.append((next.depth, candidates[next.index]))
            pending += (children[next.index] ?? []).reversed().map { (depth: next.depth + 1, index: $0) }
        }
        return ordered
    }

    /// The report as JSON (`show --json`): budget, iterations, best, Pareto front and candidates.
    public var value: Value {
        [
            "metric_calls": .int(metricCalls), "budget": .int(budget), "full_evaluations": .int(fullEvaluations),
            "iterations": .int(iterations), "best": .int(best), "pareto_front": .array(front.map(Value.int)),
            "candidates": .array(candidates.map(\.value)),
        ]
    }
}
