import Foundation
import OrderedCollections

extension GEPA.Engine {
    /// gepa's `MergeProposer.propose` and the engine's acceptance: merges two Pareto candidates through a common
    /// ancestor, scores the merge on a validation subsample, and adds it when its sum there is at least the better
    /// parent's. Returns whether the merge took the iteration (a merge was evaluated, kept or not); without a
    /// mergeable pair the iteration goes on to a reflective mutation, as in gepa.
    mutating func mergeStep(into iteration: inout OrderedDictionary<String, Value>) async throws -> Bool {
        let scores = state.meanScores
        let candidates = GEPA.dominators(state.front, scores: scores)
        guard let merge = sampleMerge(candidates: candidates, scores: scores) else {
            iteration["merge"] = "no_merge"
            return false
        }
        merges.triplets.append([merge.first, merge.second, merge.ancestor])
        let subsample = mergeSubsample(merge.first, merge.second)
        guard !subsample.isEmpty else {
            iteration["merge"] = "no_subsample"
            return false
        }
        iteration["kind"] = "merge"
        iteration["parents"] = [.int(merge.first), .int(merge.second)]
        iteration["ancestor"] = .int(merge.ancestor)
        iteration["minibatch"] = .array(subsample.map(Value.int))
        context.enter(
            "search",
            detail: "iteration \(state.iteration + 1): merging candidates \(merge.first) and \(merge.second) "
                + "(ancestor \(merge.ancestor))")
        let firstScores = subsample.map { state.validationScores[merge.first][$0] }
        let secondScores = subsample.map { state.validationScores[merge.second][$0] }
        let merged = try graph(for: merge.instructions)
        let results = try await step.run(
            merged, on: subsample.map { valset[$0] }, step: "eval/\(merged.stateHash)")
        state.metricCalls += subsample.count
        let newScores = results.map(\.score)
        iteration["scores_before"] = [
            .double(firstScores.reduce(0, +)), .double(secondScores.reduce(0, +)),
        ]
        iteration["scores_after"] = .array(newScores.map(Value.double))
        iteration["instructions"] = .array(merge.instructions.map(Value.string))
        guard newScores.reduce(0, +) >= max(firstScores.reduce(0, +), secondScores.reduce(0, +)) else {
            iteration["outcome"] = "rejected"
            return true
        }
        let index = try await addEvaluated(merge.instructions, parents: [merge.first, merge.second])
        merges.due -= 1
        merges.tested += 1
        iteration["outcome"] = "accepted"
        iteration["candidate"] = .int(index)
        return true
    }

    /// A merge of two candidates through a common ancestor.
    struct Merge {
        var instructions: [String]
        var first: Int
        var second: Int
        var ancestor: Int
    }

    /// gepa's `sample_and_attempt_merge_programs_by_common_predictors`: up to 10 tries at a pair with a common
    /// ancestor whose merge (per predictor: the descendant that changed it, the better-scoring one when both did)
    /// was not made before and whose validation scores overlap on at least 5 examples.
    mutating func sampleMerge(candidates: [Int], scores: [Double]) -> Merge? {
        guard candidates.count >= 2, state.candidates.count >= 3 else { return nil }
        for _ in 0..<10 {
            guard let (first, second, ancestor) = commonAncestorPair(candidates: candidates, scores: scores) else {
                continue
            }
            if merges.triplets.contains([first, second, ancestor]) { continue }
            var instructions = state.candidates[ancestor]
            var sources: [Int] = []
            for predictor in state.predictorNames.indices {
                let base = state.candidates[ancestor][predictor]
                let one = state.candidates[first][predictor]
                let two = state.candidates[second][predictor]
                let source: Int
                if (base == one || base == two) && one != two {
                    source = base == one ? second : first
                } else if base != one && base != two {
                    source =
                        scores[first] > scores[second]
                        ? first : (scores[second] > scores[first] ? second : [first, second][random.next(below: 2)])
                } else {
                    source = first
                }
                instructions[predictor] = state.candidates[source][predictor]
                sources.append(source)
            }
            let description = [first, second] + sources
            if merges.descriptions.contains(description) { continue }
            // gepa's val_overlap_floor: both parents are scored on every validation example here.
            guard valset.count >= 5 else { continue }
            merges.descriptions.append(description)
            return Merge(instructions: instructions, first: first, second: second, ancestor: ancestor)
        }
        return nil
    }

    /// gepa's `find_common_ancestor_pair`: up to 10 draws of two candidates, neither an ancestor of the other,
    /// with common ancestors that score no better than either, were not merged through with them, and differ from
    /// them in a way a merge can use; the ancestor drawn weighted by its mean score.
    mutating func commonAncestorPair(candidates: [Int], scores: [Double]) -> (Int, Int, Int)? {
        for _ in 0..<10 {
            guard candidates.count >= 2 else { return nil }
            let pair = GEPA.sample(candidates, count: 2, using: &random)
            guard pair.count == 2, pair[0] != pair[1] else { continue }
            let (first, second) = (min(pair[0], pair[1]), max(pair[0], pair[1]))
            let firstAncestors = ancestors(of: first)
            let secondAncestors = ancestors(of: second)
            if firstAncestors.contains(second) || secondAncestors.contains(first) { continue }
            let common = firstAncestors.intersection(secondAncestors).sorted().filter { ancestor in
                !merges.triplets.contains([first, second, ancestor]) && scores[ancestor] <= scores[first]
                    && scores[ancestor] <= scores[second] && isMergeable(ancestor, first, second)
            }
            guard !common.isEmpty else { continue }
            return (first, second, weightedChoice(common, weights: common.map { scores[$0] }))
        }
        return nil
    }

    /// Whether some predictor was changed by exactly one of the two descendants (gepa's
    /// `does_triplet_have_desirable_predictors`).
    func isMergeable(_ ancestor: Int, _ first: Int, _ second: Int) -> Bool {
        state.predictorNames.indices.contains { predictor in
            let base = state.candidates[ancestor][predictor]
            let one = state.candidates[first][predictor]
            let two = state.candidates[second][predictor]
            return (base == one || base == two) && one != two
        }
    }

    /// Every ancestor of `candidate`.
    func ancestors(of candidate: Int) -> Set<Int> {
        var found = Set<Int>()
        var pending = state.parents[candidate]
        while let parent = pending.popLast() {
            if found.insert(parent).inserted { pending.append(contentsOf: state.parents[parent]) }
        }
        return found
    }

    /// Python's `random.choices(population, weights)[0]`: the first element whose cumulative weight exceeds a
    /// uniform draw over the total. A total of zero (where Python raises) draws uniformly.
    mutating func weightedChoice(_ elements: [Int], weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        let draw = random.nextUnit()
        guard total > 0 else { return elements[min(elements.count - 1, Int(draw * Double(elements.count)))] }
        var cumulative = 0.0
        for (element, weight) in zip(elements, weights) {
            cumulative += weight
            if draw * total < cumulative { return element }
        }
        return elements[elements.count - 1]
    }

    /// gepa's `select_eval_subsample_for_merged_program`: 5 validation examples, up to 2 each where the first
    /// parent is better, where the second is, and where they tie, then any others (with repeats when the validation
    /// set is smaller).
    mutating func mergeSubsample(_ first: Int, _ second: Int) -> [Int] {
        let wanted = 5
        let common = Array(valset.indices)
        let one = state.validationScores[first]
        let two = state.validationScores[second]
        let buckets = [
            common.filter { one[$0] > two[$0] }, common.filter { two[$0] > one[$0] },
            common.filter { one[$0] == two[$0] },
        ]
        let perBucket = max(1, Int((Double(wanted) / 3).rounded(.up)))
        var selected: [Int] = []
        for bucket in buckets {
            if selected.count >= wanted { break }
            let available = bucket.filter { !selected.contains($0) }
            let take = min(available.count, perBucket, wanted - selected.count)
            if take > 0 { selected += GEPA.sample(available, count: take, using: &random) }
        }
        let remaining = wanted - selected.count
        if remaining > 0 {
            let unused = common.filter { !selected.contains($0) }
            if unused.count >= remaining {
                selected += GEPA.sample(unused, count: remaining, using: &random)
            } else if !common.isEmpty {
                for _ in 0..<remaining {
                    selected.append(common[min(common.count - 1, Int(random.nextUnit() * Double(common.count)))])
                }
            }
        }
        return Array(selected.prefix(wanted))
    }
}
