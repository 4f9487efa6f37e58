import Foundation
import OrderedCollections

extension GEPA {
    /// One GEPA run: the gepa engine's loop over the pool, driven deterministically from the journal.
    struct Engine {
        let options: GEPA
        let program: Graph
        let trainset: [Example]
        let valset: [Example]
        let context: OptimizationContext
        let step: JournaledStep
        var state: GEPAState
        /// gepa's one generator, shared by the candidate selector, the batch sampler and the merge proposer.
        var random: SeededGenerator
        /// DSPy's adapter's own generator (which of a predictor's calls a record shows).
        var adapterRandom: SeededGenerator
        var sampler: BatchSampler
        var merges = MergeSchedule()

        init(
            options: GEPA, program: Graph, trainset: [Example], valset: [Example], budget: Int,
            context: OptimizationContext
        ) {
            self.options = options
            self.program = program
            self.trainset = trainset
            self.valset = valset
            self.context = context
            step = JournaledStep(context: context, metric: options.metric.metric, concurrency: options.concurrency)
            let names = program.namedPredictors.map(\.name)
            state = GEPAState(
                predictorNames: names, seed: program.namedPredictors.map(\.state.signature.instructions), scores: [],
                budget: budget)
            random = SeededGenerator(seed: options.seed)
            adapterRandom = SeededGenerator(seed: options.seed)
            sampler = BatchSampler(minibatchSize: options.reflectionMinibatchSize)
        }

        mutating func run() async throws -> Graph {
            context.enter("evaluate", detail: "seed program on \(valset.count) validation examples")
            let seedScores = try await validationScores(of: program)
            state = GEPAState(
                predictorNames: state.predictorNames, seed: state.candidates[0], scores: seedScores,
                budget: state.budget)
            try await record()
            while state.metricCalls < state.budget {
                try Task.checkCancellation()
                state.iteration += 1
                var iteration: OrderedDictionary<String, Value> = ["iteration": .int(state.iteration + 1)]
                if options.useMerge, merges.due > 0, merges.lastIterationFoundNewProgram {
                    let merged = try await mergeStep(into: &iteration)
                    merges.lastIterationFoundNewProgram = false
                    if merged {
                        try await finish(iteration)
                        continue
                    }
                }
                merges.lastIterationFoundNewProgram = false
                try await reflectiveStep(into: &iteration)
                try await finish(iteration)
            }
            let best = state.bestIndex
            let final = try graph(for: best)
            let score = state.meanScores[best]
            try await context.journal.record(
                ["score": .double(score), "candidate": .int(best), "program": final.savedState()], for: "result")
            context.update {
                $0.stage = "done"
                $0.bestScore = score
            }
            return final
        }

        /// One reflective mutation (gepa's `ReflectiveMutationProposer.propose` and the engine's acceptance).
        private mutating func reflectiveStep(into iteration: inout OrderedDictionary<String, Value>) async throws {
            iteration["kind"] = "reflective"
            let parent = GEPA.selectCandidate(options.candidateSelection, state: state, using: &random)
            let positions = sampler.next(trainCount: trainset.count, iteration: state.iteration, using: &random)
            let minibatch = positions.map { trainset[$0] }
            iteration["parents"] = [.int(parent)]
            iteration["minibatch"] = .array(positions.map(Value.int))
            context.enter(
                "search",
                detail: "iteration \(state.iteration + 1): candidate \(parent) on \(minibatch.count) training examples")
            let parentGraph = try graph(for: parent)
            let before = try await tracedRun(parentGraph, on: minibatch)
            state.metricCalls += minibatch.count
            let scoresBefore = before.map(\.score)
            iteration["scores_before"] = .array(scoresBefore.map(Value.double))
            if options.skipPerfectScore, scoresBefore.allSatisfy({ $0 >= options.perfectScore }) {
                iteration["outcome"] = "skipped_perfect"
                return
            }
            let predictor = state.predictorNames[state.takeNextPredictor(of: parent)]
            iteration["predictor"] = .string(predictor)
            let key = "gepa/iteration/\(Self.number(state.iteration + 1))"
            let records: [Value]
            do {
                records = try await options.reflectiveRecords(
                    predictor: predictor, candidate: parentGraph, minibatch: minibatch, results: before,
                    key: "\(key)/feedback/\(predictor)", random: &adapterRandom, context: context)
            } catch let error as LMError where error.stopsRun {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // gepa logs a failure to build the reflective dataset and proposes nothing this iteration.
                iteration["error"] = .string(String(describing: error))
                records = []
            }
            guard !records.isEmpty else {
                iteration["outcome"] = "no_reflective_examples"
                return
            }
            iteration["reflective_dataset"] = .array(records)
            guard
                let instruction = try await options.propose(
                    instruction: instructions(of: parent, predictor: predictor), records: records,
                    key: "\(key)/reflection/\(predictor)", context: context)
            else {
                iteration["outcome"] = "no_proposal"
                return
            }
            iteration["instruction"] = .string(instruction)
            var child = state.candidates[parent]
            if let index = state.predictorNames.firstIndex(of: predictor) { child[index] = instruction }
            let childGraph = try graph(for: child)
            let after = try await tracedRun(childGraph, on: minibatch)
            state.metricCalls += minibatch.count
            let scoresAfter = after.map(\.score)
            iteration["scores_after"] = .array(scoresAfter.map(Value.double))
            context.update { $0.score = scoresAfter.reduce(0, +) / Double(max(1, scoresAfter.count)) }
            // gepa's StrictImprovementAcceptance.
            guard scoresAfter.reduce(0, +) > scoresBefore.reduce(0, +) else {
                iteration["outcome"] = "rejected"
                return
            }
            let index = try await addEvaluated(child, parents: [parent])
            iteration["outcome"] = "accepted"
            iteration["candidate"] = .int(index)
            merges.lastIterationFoundNewProgram = true
            if merges.tested < options.maxMergeInvocations { merges.due += 1 }
        }

        /// Evaluates `candidate` on the validation set and adds it to the pool (the engine's `_run_full_eval_and_add`).
        mutating func addEvaluated(_ candidate: [String], parents: [Int]) async throws -> Int {
            context.enter(
                "evaluate",
                detail: "iteration \(state.iteration + 1): new candidate on \(valset.count) validation examples")
            let scores = try await validationScores(of: try graph(for: candidate))
            let discovered = state.metricCalls
            state.metricCalls += valset.count
            state.fullEvaluations += 1
            let index = state.add(candidate, parents: parents, scores: scores, discoveredAt: discovered)
            let means = state.meanScores
            context.update {
                $0.score = means[index]
                $0.bestScore = means.max()
            }
            return index
        }

        /// The program's score on every validation example (recorded under `eval/<hash>`).
        func validationScores(of graph: Graph) async throws -> [Double] {
            try await step.run(graph, on: valset, step: "eval/\(graph.stateHash)").map(\.score)
        }

        /// The program's results with traces on `examples` (recorded under `gepa/traced/<hash>`).
        func tracedRun(_ graph: Graph, on examples: [Example]) async throws -> [StepResult] {
            try await step.run(graph, on: examples, step: "gepa/traced/\(graph.stateHash)", traces: true)
        }

        /// Records the iteration and the state.
        private mutating func finish(_ iteration: OrderedDictionary<String, Value>) async throws {
            var iteration = iteration
            iteration["metric_calls"] = .int(state.metricCalls)
            iteration["front"] = .array(state.frontMembers.map(Value.int))
            try await context.journal.record(
                .object(iteration), for: "gepa/iteration/\(Self.number(state.iteration + 1))")
            try await record()
        }

        private func record() async throws {
            try await context.journal.record(state.value, for: "gepa/state")
            let means = state.meanScores
            let calls = state.metricCalls
            let budget = state.budget
            let front = state.frontMembers.count
            let candidates = state.candidates.count
            context.update {
                $0.candidates = candidates
                $0.trial = state.iteration + 1
                $0.bestScore = means.max()
                $0.metricCalls = calls
                $0.metricCallBudget = budget
                $0.paretoFrontSize = front
            }
        }

        func instructions(of candidate: Int, predictor: String) -> String {
            guard let index = state.predictorNames.firstIndex(of: predictor) else { return "" }
            return state.candidates[candidate][index]
        }

        func graph(for candidate: Int) throws -> Graph {
            try graph(for: state.candidates[candidate])
        }

        /// The program with each predictor's instruction replaced by the candidate's.
        func graph(for instructions: [String]) throws -> Graph {
            var states: [String: PredictorState] = [:]
            for (predictor, instruction) in zip(program.namedPredictors, instructions) {
                var copy = predictor.state
                copy.signature = copy.signature.with(instructions: instruction)
                states[predictor.name] = copy
            }
            return try program.withPredictorStates(states)
        }

        static func number(_ iteration: Int) -> String {
            String(format: "%04d", iteration)
        }
    }

    /// The merge proposer's counters (gepa's `MergeProposer` state).
    struct MergeSchedule: Sendable, Hashable {
        var due = 0
        var tested = 0
        var lastIterationFoundNewProgram = false
        /// Merged (first, second, ancestor) triplets.
        var triplets: [[Int]] = []
        /// Merged (first, second, instruction sources) descriptions.
        var descriptions: [[Int]] = []
    }
}
