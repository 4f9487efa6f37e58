import Foundation
import OrderedCollections

/// MIPROv2's third stage: a Bayesian search (``TPESampler``) over one instruction and one demo set per predictor,
/// on minibatches with periodic full evaluations — DSPy's `_optimize_prompt_parameters`.
struct PromptSearch {
    let program: Graph
    /// Instruction candidates per predictor.
    let instructions: [String: [String]]
    /// Demo-set candidates per predictor; empty for a zero-shot search.
    let demoSets: [String: [[Example]]]
    let plan: MIPROv2.Plan
    let validation: [Example]
    let minibatchSize: Int
    let fullEvalSteps: Int
    let seed: UInt64
    let step: JournaledStep
    let context: OptimizationContext

    /// The parameters searched: `i_predictor_instruction` and (with demos) `i_predictor_demos` per predictor.
    var parameters: [TPESampler.Parameter] {
        program.namedPredictors.enumerated().flatMap { index, predictor -> [TPESampler.Parameter] in
            var list = [
                TPESampler.Parameter(
                    name: "\(index)_predictor_instruction", choices: instructions[predictor.name]?.count ?? 1)
            ]
            if let sets = demoSets[predictor.name], !sets.isEmpty {
                list.append(TPESampler.Parameter(name: "\(index)_predictor_demos", choices: sets.count))
            }
            return list
        }
    }

    /// The program with the chosen instruction and demo set in every predictor.
    func candidate(_ point: [String: Int]) throws -> Graph {
        var states: [String: PredictorState] = [:]
        for (index, predictor) in program.namedPredictors.enumerated() {
            var state = predictor.state
            if let choices = instructions[predictor.name] {
                let chosen = point["\(index)_predictor_instruction", default: 0]
                state.signature = state.signature.with(instructions: choices[min(chosen, choices.count - 1)])
            }
            if let sets = demoSets[predictor.name], !sets.isEmpty {
                state.demos = sets[min(point["\(index)_predictor_demos", default: 0], sets.count - 1)]
            }
            states[predictor.name] = state
        }
        return try program.withPredictorStates(states)
    }

    /// Runs the search; returns the best fully evaluated program.
    func run(generator: inout SeededGenerator) async throws -> Graph {
        let sampler = TPESampler(parameters: parameters, seed: seed)
        let defaults = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, 0) })
        context.enter("search", detail: "trial 1 of \(plan.reportedTrials): full evaluation of the default program")
        let defaultScore = try await step.meanScore(of: program, on: validation)
        var best = (score: defaultScore, program: program)
        var history = [TPESampler.Trial(values: defaults, score: defaultScore)]
        try await record(
            trial: 1, kind: "full", point: defaults, score: defaultScore, examples: validation.count, best: best.score)
        var minibatchScores = OrderedDictionary<String, (scores: [Double], point: [String: Int])>()
        var fullyEvaluated = Set<String>()
        var number = 1
        for index in 0..<plan.trials {
            number += 1
            let point = sampler.suggest(after: history)
            let program = try candidate(point)
            let batch = plan.minibatch ? generator.sample(validation, count: minibatchSize) : validation
            let score = try await step.meanScore(of: program, on: batch)
            history.append(TPESampler.Trial(values: point, score: score))
            if !plan.minibatch, score > best.score { best = (score, program) }
            let key = Self.key(point, parameters: parameters)
            minibatchScores[key, default: ([], point)].scores.append(score)
            try await record(
                trial: number, kind: plan.minibatch ? "minibatch" : "full", point: point, score: score,
                examples: batch.count, best: best.score)
            // A full evaluation after every `fullEvalSteps` minibatch trials, and after the last one.
            guard plan.minibatch, (index + 1) % max(1, fullEvalSteps) == 0 || index == plan.trials - 1 else {
                continue
            }
            let ranked = minibatchScores.sorted { lhs, rhs in
                Self.mean(lhs.value.scores) > Self.mean(rhs.value.scores)
            }
            guard let chosen = ranked.first(where: { !fullyEvaluated.contains($0.key) }) ?? ranked.last else {
                continue
            }
            number += 1
            let finalist = try candidate(chosen.value.point)
            context.enter("search", detail: "trial \(number) of \(plan.reportedTrials): full evaluation")
            let full = try await step.meanScore(of: finalist, on: validation)
            history.append(TPESampler.Trial(values: chosen.value.point, score: full))
            fullyEvaluated.insert(chosen.key)
            if full > best.score { best = (full, finalist) }
            try await record(
                trial: number, kind: "full", point: chosen.value.point, score: full, examples: validation.count,
                best: best.score)
        }
        try await context.journal.record(
            ["score": .double(best.score), "program": best.program.savedState()], for: "result")
        context.update {
            $0.stage = "done"
            $0.detail = String(format: "best full score %.3f", best.score)
            $0.bestScore = best.score
        }
        return best.program
    }

    /// Records a trial in the journal and reports it.
    private func record(trial: Int, kind: String, point: [String: Int], score: Double, examples: Int, best: Double)
        async throws
    {
        var params = OrderedDictionary<String, Value>()
        for parameter in parameters { params[parameter.name] = .int(point[parameter.name, default: 0]) }
        try await context.journal.record(
            [
                "number": .int(trial), "kind": .string(kind), "params": .object(params), "score": .double(score),
                "examples": .int(examples),
            ], for: "trial/\(String(format: "%04d", trial))")
        context.update {
            $0.stage = "search"
            $0.detail = "\(kind) evaluation on \(examples) examples"
            $0.trial = trial
            $0.trials = plan.reportedTrials
            $0.score = score
            $0.bestScore = best
        }
    }

    /// A parameter combination as text, the key its minibatch scores are grouped by.
    static func key(_ point: [String: Int], parameters: [TPESampler.Parameter]) -> String {
        parameters.map { "\($0.name)=\(point[$0.name, default: 0])" }.joined(separator: ",")
    }

    static func mean(_ scores: [Double]) -> Double {
        scores.isEmpty ? 0 : scores.reduce(0, +) / Double(scores.count)
    }
}
