import Foundation
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
        ///
        /// Given the candidate it was made from, an instruction that extends the parent's shows only what was
        /// added (`+ Compute the sum and double-check it.`), and predictors left as the parent had them are
        /// omitted (all of them unchanged: `(unchanged)`).
        public func summary(maxLength: Int = 80, parent: Candidate? = nil) -> String {
            func collapsed(_ text: String) -> String {
                text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            }
            var parts: [String] = []
            for (name, text) in instructions {
                var line = collapsed(text)
                if let parent, let before = parent.instructions[name].map(collapsed) {
                    if line == before, instructions.count > 1 { continue }
                    if line == before { line = "(unchanged)" }
                    if !before.isEmpty, line.count > before.count, line.hasPrefix(before) {
                        line = "+ " + line.dropFirst(before.count).trimmingCharacters(in: .whitespaces)
                    }
                }
                parts.append(instructions.count > 1 ? "\(name): \(line)" : line)
            }
            let line = parts.isEmpty ? "(unchanged)" : parts.joined(separator: " | ")
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

    /// One iteration of the search: which candidate was mutated or which two merged, the minibatch scores before
    /// and after, and what became of the child.
    public struct Iteration: Sendable, Hashable {
        /// The iteration's number, from 1.
        public var number: Int
        /// `reflective` or `merge`.
        public var kind: String
        /// The candidates the child was made from.
        public var parents: [Int]
        /// The predictor whose instruction was proposed, for a reflective iteration.
        public var predictor: String?
        /// The summed minibatch score of the parent (of the parents, for a merge: their sums), before.
        public var scoreBefore: Double?
        /// The summed minibatch score of the child.
        public var scoreAfter: Double?
        /// The examples of the child's minibatch, when it was scored.
        public var minibatchSize: Int?
        /// `accepted`, `rejected`, `skipped_perfect`, `no_proposal`, `no_reflective_examples`, … as gepa logs it.
        public var outcome: String
        /// The new candidate's index, when accepted.
        public var candidate: Int?
        /// Metric calls spent at the end of the iteration.
        public var metricCalls: Int
        /// The Pareto front after the iteration.
        public var front: [Int]

        /// An iteration from its `gepa/iteration/NNNN` record; `nil` for a record that is not one.
        public init?(number: Int, _ value: Value) {
            guard let object = value.objectValue else { return nil }
            self.number = number
            kind = object["kind"]?.stringValue ?? "reflective"
            parents = object["parents"]?.arrayValue?.compactMap(\.intValue) ?? []
            predictor = object["predictor"]?.stringValue
            func sum(_ key: String) -> Double? {
                guard let scores = object[key]?.arrayValue else { return nil }
                return scores.compactMap(\.doubleValue).reduce(0, +)
            }
            scoreBefore = sum("scores_before")
            scoreAfter = sum("scores_after")
            minibatchSize = object["scores_after"]?.arrayValue?.count
            outcome = object["outcome"]?.stringValue ?? object["merge"]?.stringValue ?? "unknown"
            candidate = object["candidate"]?.intValue
            metricCalls = object["metric_calls"]?.intValue ?? 0
            front = object["front"]?.arrayValue?.compactMap(\.intValue) ?? []
        }

        /// The outcome in words, with the candidate it added: `accepted as 3`, `skipped perfect`, `no proposal`.
        public var outcomeDescription: String {
            outcome.replacingOccurrences(of: "_", with: " ") + (candidate.map { " as \($0)" } ?? "")
        }

        /// The iteration as JSON.
        public var value: Value {
            [
                "iteration": .int(number), "kind": .string(kind), "parents": .array(parents.map(Value.int)),
                "predictor": predictor.map(Value.string) ?? .null,
                "minibatch_before": scoreBefore.map(Value.double) ?? .null,
                "minibatch_after": scoreAfter.map(Value.double) ?? .null, "outcome": .string(outcome),
                "candidate": candidate.map(Value.int) ?? .null, "metric_calls": .int(metricCalls),
                "front": .array(front.map(Value.int)),
            ]
        }
    }

    /// Every candidate, by index.
    public var candidates: [Candidate]
    /// The iterations recorded so far, in order (empty when the report was made from the state alone).
    public var history: [Iteration] = []
    /// Each candidate's score on each validation example, by candidate index (the per-instance scores the Pareto
    /// front is taken over).
    public var validationScores: [[Double]]
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
        validationScores = state.validationScores
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
            "candidates": .array(candidates.map(\.value)), "iterations": .array(history.map(\.value)),
            "validation_scores": .array(validationScores.map { .array($0.map(Value.double)) }),
        ]
    }
}
