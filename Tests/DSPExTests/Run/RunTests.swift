import DSPExTesting
import Foundation
import Testing

@testable import DSPEx

/// Runs as library values: a plan stored with the run, started and resumed without the CLI; a completed run
/// resumed only reports; one optimizer factory that hands the seed to every optimizer.
@Suite(.timeLimit(.minutes(2)))
struct RunTests {
    static func path(_ relative: String) -> String { PipelineRunTests.root.appendingPathComponent(relative).path }

    static func evalPlan(_ server: SimulatorServer, limit: Int = 20) -> RunPlan {
        RunPlan(
            kind: .eval, pipeline: path("pipelines/arithmetic.yaml"), data: path("data/arithmetic_dev.jsonl"),
            limit: limit, lm: LMOverrides(model: "dspex-sim", baseURL: server.baseURL, temperature: 0.5))
    }

    @Test("an eval plan runs, is stored with the run, and resuming the completed run only reports (no request)")
    func evalStartAndIdempotentResume() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        try await withSimulatedLM { _, server in
            let plan = Self.evalPlan(server)
            guard
                case .evaluated(let first) = try await Run.start(
                    plan, named: "e1", store: store, connector: HTTPLanguageModelConnector())
            else { Issue.record("not an evaluation"); return }
            #expect(first.result.examples == 20)
            #expect(first.result.requests == server.stats().requests)
            #expect(server.recentRequests().allSatisfy { $0.temperature == 0.5 })
            let record = try #require(try store.run(named: "e1"))
            #expect(try Run.storedPlan(of: record) == plan)
            #expect(record.workerPid == nil)
            #expect(record.status == RunRecord.Status.completed)

            server.reset()
            guard
                case .evaluated(let again) = try await Run.resume(
                    named: "e1", store: store, connector: HTTPLanguageModelConnector())
            else { Issue.record("not an evaluation"); return }
            #expect(again.result.score == first.result.score)
            #expect(again.result.examples == 20)
            #expect(server.stats().requests == 0)
        }
    }

    @Test("a resume that would change the pipeline is refused; the stored plan is unchanged")
    func changedPipelineRefused() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        try await withSimulatedLM { _, server in
            let plan = Self.evalPlan(server, limit: 3)
            _ = try await Run.start(plan, named: "e2", store: store, connector: HTTPLanguageModelConnector())
            var changed = plan
            changed.pipeline = Self.path("pipelines/arithmetic_cot.yaml")
            await #expect(throws: EvaluateError.self) {
                _ = try await Run.resume(
                    named: "e2", store: store, connector: HTTPLanguageModelConnector(), replacing: changed)
            }
            #expect(try Run.storedPlan(of: try #require(try store.run(named: "e2"))) == plan)
        }
    }

    @Test("a completed compile run resumed returns its stored program without a request")
    func completedCompileReturnsStoredProgram() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        try await withSimulatedLM { _, server in
            let plan = RunPlan(
                kind: .compile, pipeline: Self.path("pipelines/arithmetic.yaml"),
                data: Self.path("data/arithmetic_train.jsonl"), limit: 20,
                lm: LMOverrides(model: "dspex-sim", baseURL: server.baseURL),
                optimizer: OptimizerPlan(name: .bootstrap, seed: 3))
            guard
                case .compiled(let compiled) = try await Run.start(
                    plan, named: "c1", store: store, connector: HTTPLanguageModelConnector())
            else { Issue.record("not a compile run"); return }
            #expect(!compiled.wasAlreadyCompleted)
            server.reset()
            guard
                case .compiled(let again) = try await Run.resume(
                    named: "c1", store: store, connector: HTTPLanguageModelConnector())
            else { Issue.record("not a compile run"); return }
            #expect(again.wasAlreadyCompleted)
            #expect(again.program.savedState() == compiled.program.savedState())
            #expect(server.stats().requests == 0)
        }
    }

    @Test("the simulator needs a connector that can start it")
    func simulatorNeedsItsConnector() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let plan = RunPlan(
            kind: .eval, pipeline: Self.path("pipelines/arithmetic.yaml"), data: Self.path("data/arithmetic_dev.jsonl"))
        await #expect(throws: RunError.self) {
            _ = try await Run.start(plan, named: "s", store: store, connector: HTTPLanguageModelConnector())
        }
    }

    @Test("the optimizer factory hands the seed to every optimizer", arguments: OptimizerPlan.Name.allCases)
    func factoryPassesSeed(name: OptimizerPlan.Name) {
        let optimizer = OptimizerPlan(name: name, seed: 42).makeOptimizer(
            metric: .exactMatch(), promptModel: ScriptedLM(replies: []))
        let seed: UInt64? =
            switch optimizer {
            case let labeled as LabeledFewShot: labeled.seed
            case let bootstrap as BootstrapFewShot: bootstrap.seed
            case let search as BootstrapFewShotWithRandomSearch: search.seed
            case let mipro as MIPROv2: mipro.seed
            case let copro as COPRO: copro.seed
            case let simba as SIMBA: simba.seed
            case let gepa as GEPA: gepa.seed
            default: nil
            }
        #expect(seed == 42)
    }

    @Test("random search's shuffled candidates follow the seed; seed 0 is DSPy's 0 ..< n")
    func randomSearchSeeds() {
        func candidates(_ seed: UInt64) -> [BootstrapFewShotWithRandomSearch.Candidate] {
            BootstrapFewShotWithRandomSearch(metric: .exactMatch(), numCandidatePrograms: 6, seed: seed).candidates()
        }
        #expect(candidates(0).map(\.seed) == [-3, -2, -1, 0, 1, 2, 3, 4, 5])
        #expect(candidates(1).map(\.seed) != candidates(2).map(\.seed))
        #expect(candidates(7) == candidates(7))
    }

    @Test("COPRO's proposals under another seed are other samples (other rollout ids); the same seed repeats")
    func coproSeeds() async throws {
        func rolloutIDs(_ seed: UInt64) async throws -> Set<Int> {
            let lm = ScriptedLM { request in
                let prompt = request.messages.map(\.content).joined()
                return prompt.contains("proposed_instruction")
                    ? "[[ ## proposed_instruction ## ]]\nAdd the numbers.\n\n[[ ## completed ## ]]"
                    : "[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"
            }
            let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 4)
            _ = try await COPRO(metric: .exactMatch(), promptModel: lm, breadth: 3, depth: 1, seed: seed)
                .compile(try OptimizerTests.program(lm), trainset: trainset)
            return Set(lm.requests.compactMap(\.rolloutID))
        }
        let zero = try await rolloutIDs(0)
        #expect(!zero.isEmpty && zero.isSubset(of: Set(1...3)))
        #expect(try await rolloutIDs(1) != zero)
        #expect(try await rolloutIDs(1) == (try await rolloutIDs(1)))
    }
}
