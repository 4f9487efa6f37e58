import DSPEx
import DSPExTesting
import Foundation
import Synchronization
import Testing

/// MIPROv2's budgets and search, and durable optimization: journals, job handles, cancel and resume.
@Suite(.timeLimit(.minutes(2)))
struct MIPROv2Tests {
    @Test("trial budgets follow DSPy: max(2·variables·log2(N), 1.5·N), and the reported trials add full evaluations")
    func trialBudgets() throws {
        #expect(MIPROv2.trials(predictors: 1, candidates: 6, zeroShot: false) == 10)
        #expect(MIPROv2.trials(predictors: 1, candidates: 12, zeroShot: false) == 18)
        #expect(MIPROv2.trials(predictors: 1, candidates: 18, zeroShot: false) == 27)
        #expect(MIPROv2.trials(predictors: 1, candidates: 6, zeroShot: true) == 9)
        #expect(MIPROv2.trials(predictors: 3, candidates: 6, zeroShot: false) == 31)
        #expect(MIPROv2.reportedTrials(trials: 10, fullEvalSteps: 5, minibatch: true) == 13)
        #expect(MIPROv2.reportedTrials(trials: 18, fullEvalSteps: 5, minibatch: true) == 23)
        #expect(MIPROv2.reportedTrials(trials: 9, fullEvalSteps: 5, minibatch: false) == 10)
    }

    @Test("auto presets set candidates and minibatching; conflicting or impossible options are refused")
    func plans() async throws {
        let program = try OptimizerTests.program(ScriptedLM(replies: []))
        let light = try MIPROv2(metric: .exactMatch()).plan(for: program, validationCount: 100)
        #expect(light.demoCandidates == 6 && light.instructionCandidates == 3 && light.trials == 10)
        #expect(light.minibatch && light.reportedTrials == 13)
        let small = try MIPROv2(metric: .exactMatch()).plan(for: program, validationCount: 40)
        #expect(!small.minibatch && small.reportedTrials == 11)
        let zeroShot = try MIPROv2(metric: .exactMatch(), maxBootstrappedDemos: 0, maxLabeledDemos: 0)
            .plan(for: program, validationCount: 100)
        #expect(zeroShot.instructionCandidates == 6 && zeroShot.trials == 9)
        #expect(throws: OptimizeError.self) {
            try MIPROv2(metric: .exactMatch(), auto: .light, numTrials: 5).plan(for: program, validationCount: 100)
        }
        #expect(throws: OptimizeError.self) {
            try MIPROv2(metric: .exactMatch(), auto: nil).plan(for: program, validationCount: 100)
        }
        #expect(throws: OptimizeError.self) {
            try MIPROv2(metric: .exactMatch(), auto: nil, numCandidates: 4, numTrials: 4, minibatchSize: 35)
                .plan(for: program, validationCount: 20)
        }
        let split = try MIPROv2.split(
            trainset: Array(try await OptimizerTests.load("arithmetic_train.jsonl", limit: 10)), valset: nil)
        #expect(split.train.count == 2 && split.validation.count == 8)
    }

    @Test("MIPROv2 (light) lifts the dev score from about 50% to at least 85%, proposing grounded instructions")
    func miproLiftsScore() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 120)
        let devset = try await OptimizerTests.load("arithmetic_dev.jsonl", limit: 100)
        try await withSimulatedLM { lm, server in
            let program = try OptimizerTests.program(lm)
            let before = try await OptimizerTests.score(program, on: devset)
            let events = EventLog()
            let context = OptimizationContext { events.append($0) }
            let optimized = try await MIPROv2(metric: .exactMatch(), promptModel: lm, auto: .light)
                .compile(program, trainset: trainset, valset: nil, context: context)
            let after = try await OptimizerTests.score(optimized, on: devset)
            #expect(before < 0.65, "before: \(before)")
            #expect(after >= 0.85, "after: \(after)")
            // The proposer saw a dataset summary, the program's structure and tips.
            let prompts = server.recentRequests().map(\.userMessage)
            #expect(prompts.contains { $0.contains("[[ ## dataset_description ## ]]") && $0.contains("stage solve") })
            let instructions = try await #require(
                try context.journal.value(for: "candidate/instructions/solve")?.arrayValue)
            #expect(instructions.count == 3)
            #expect(instructions.first?.stringValue == program.namedPredictors.first?.state.signature.instructions)
            // 13 trials reported, the last a full evaluation; the best score never decreases.
            let trials = events.snapshots.compactMap(\.trial)
            #expect(trials.max() == 13)
            let best = events.snapshots.compactMap(\.bestScore)
            #expect(zip(best, best.dropFirst()).allSatisfy { $0 <= $1 })
            await #expect(try context.journal.value(for: "trial/0013")?["kind"] == "full")
        }
    }

    @Test("a cancelled job stops resumably; resumed, it ends with the program of an uninterrupted run")
    func cancelAndResume() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 120)
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 2)
        // No LM cache: only the journal can spare requests.
        try await withSimulatedLM(simulator, configure: { $0.cache = nil }) { lm, server in
            let program = try OptimizerTests.program(lm)
            let optimizer = MIPROv2(metric: .exactMatch(), promptModel: lm, auto: .light, seed: 4)
            let reference = try await optimizer.compile(program, trainset: trainset)

            let store = try SQLiteStore.temporary()
            defer { try? store.remove() }
            let run = Evaluate.Run(
                name: "mipro", pipeline: "arithmetic.yaml", programHash: "p", datasetHash: "d", config: [:],
                resume: false)
            let job = try await OptimizationJob.open(
                optimizer, program: program, trainset: trainset, valset: nil, store: store, run: run)
            #expect(job.runName == "mipro")
            // The job runs in this task; another task watches its events and cancels it at trial 4.
            async let watcher: Void = {
                for await progress in job.events where (progress.trial ?? 0) >= 4 {
                    job.cancel()
                    break
                }
            }()
            await #expect(throws: CancellationError.self) { _ = try await job.run() }
            await watcher
            let stopped = try #require(try store.run(named: "mipro"))
            #expect(stopped.status == RunRecord.Status.stopped)
            let recorded = try store.compileTotals(runID: try #require(stopped.id)).examples
            #expect(recorded > 0)

            // Starting the same run again without resume is refused; with resume it continues.
            await #expect(throws: EvaluateError.self) {
                _ = try await OptimizationJob.open(
                    optimizer, program: program, trainset: trainset, valset: nil, store: store, run: run)
            }
            server.reset()
            var resume = run
            resume.resume = true
            let resumed = try await OptimizationJob.open(
                optimizer, program: program, trainset: trainset, valset: nil, store: store, run: resume)
            async let reporter: OptimizationProgress? = {
                var last: OptimizationProgress?
                for await progress in resumed.events { last = progress }
                return last
            }()
            let final = try await resumed.run()
            // The resumed job read back every recorded example instead of running it again.
            let last = try #require(await reporter)
            #expect(last.replayedResults >= recorded)
            #expect(final.savedState() == reference.savedState())
            #expect(try store.run(named: "mipro")?.status == RunRecord.Status.completed)
            #expect(try store.program(named: "mipro") != nil)

            // Replaying a completed journal asks the model nothing and returns the same program.
            server.reset()
            let replayContext = OptimizationContext(
                journal: CompileJournal(store: store, runID: try #require(stopped.id)))
            let replayed = try await optimizer.compile(program, trainset: trainset, valset: nil, context: replayContext)
            #expect(replayed.savedState() == reference.savedState())
            #expect(server.stats().requests == 0)
        }
    }

    @Test("a prompt model that ignores the format proposes nothing: the current instruction stands in")
    func driftingProposer() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 30)
        let lm = ScriptedLM { request in
            let prompt = request.messages.map(\.content).joined(separator: "\n")
            guard prompt.contains("1. `question`") else { return "Sure! Here is a great instruction for you." }
            return "[[ ## answer ## ]]\n7\n\n[[ ## completed ## ]]"
        }
        let program = try OptimizerTests.program(lm)
        let context = OptimizationContext()
        _ = try await MIPROv2(metric: .exactMatch(), promptModel: lm, auto: .light)
            .compile(program, trainset: trainset, valset: nil, context: context)
        let instructions = try await #require(
            try context.journal.value(for: "candidate/instructions/solve")?.arrayValue)
        let current = program.namedPredictors.first?.state.signature.instructions ?? ""
        #expect(instructions.allSatisfy { $0.stringValue == current })
        // The proposer's replies were unusable, but its calls were made: they are counted.
        let proposerCalls = lm.requests.count {
            !$0.messages.map(\.content).joined(separator: "\n").contains("1. `question`")
        }
        #expect(proposerCalls > 0)
        #expect(context.progress.lmCalls == lm.requests.count)
    }

    @Test("bootstrapping accepts the first passing examples in order, whatever the concurrency")
    func bootstrapIsDeterministic() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 40)
        try await withSimulatedLM { lm, _ in
            let program = try OptimizerTests.program(lm)
            let serial = try await BootstrapFewShot(metric: .exactMatch(), concurrency: 1).compile(
                program, trainset: trainset)
            let parallel = try await BootstrapFewShot(metric: .exactMatch(), concurrency: 16).compile(
                program, trainset: trainset)
            #expect(serial.savedState() == parallel.savedState())
        }
    }

    @Test("COPRO proposes instructions in separate calls and keeps the best, which scores at least the original")
    func copro() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 60)
        try await withSimulatedLM { lm, server in
            let program = try OptimizerTests.program(lm)
            let before = try await OptimizerTests.score(program, on: trainset)
            let optimized = try await COPRO(metric: .exactMatch(), promptModel: lm, breadth: 4, depth: 2)
                .compile(program, trainset: trainset)
            let after = try await OptimizerTests.score(optimized, on: trainset)
            #expect(after >= before)
            let instruction = optimized.namedPredictors.first?.state.signature.instructions ?? ""
            #expect(instruction != program.namedPredictors.first?.state.signature.instructions)
            let proposals = server.recentRequests().filter { $0.userMessage.contains("proposed_instruction") }
            #expect(proposals.count == 3 + 4)
        }
    }
}

/// Collects progress snapshots from any thread.
final class EventLog: Sendable {
    private let storage = Mutex<[OptimizationProgress]>([])
    func append(_ progress: OptimizationProgress) { storage.withLock { $0.append(progress) } }
    var snapshots: [OptimizationProgress] { storage.withLock { $0 } }
}
