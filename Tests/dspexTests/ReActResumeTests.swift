import DSPEx
import DSPExTesting
import Foundation
import Testing

/// A real `dspex eval` of the bundled ReAct agent, SIGKILLed mid-run and resumed, against the simulator on loopback:
/// no finished example is run again (so neither its LM calls nor its tool calls repeat), and the resumed run ends
/// with the score and trajectories of an uninterrupted one.
@Suite(.timeLimit(.minutes(2)), .tags(.integration))
struct ReActResumeTests {
    static func arguments(baseURL: String, store: String, run: String) -> [String] {
        [
            "eval", RunCommandTests.path("pipelines/arithmetic_react.yaml"), "--data",
            RunCommandTests.path("data/bignum_dev.jsonl"), "--lm", "dspex-sim", "--base-url", baseURL,
            "--concurrency", "4", "--store", store, "--run", run, "--json",
        ]
    }

    static func stored(_ path: String, run: String) throws -> [String: Value] {
        let store = try SQLiteStore(path: path)
        guard let id = try store.run(named: run)?.id else { return [:] }
        var outputs: [String: Value] = [:]
        for result in try store.results(runID: id) { outputs[result.exampleId] = try Value(json: result.outputs) }
        return outputs
    }

    @Test("a SIGKILLed agent eval resumes without running a finished example again")
    func killAndResumeAgent() async throws {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 20)
        try await withSimulatedLM(simulator) { _, server in
            let referenceStore = EvalResumeTests.temporaryStore()
            let reference = try await CLIProcess.run(
                Self.arguments(baseURL: server.baseURL, store: referenceStore, run: "ref"))
            #expect(reference.status == 0, "\(reference.stderr)")
            let expected = try Value(json: reference.stdout)
            let referenceOutputs = try Self.stored(referenceStore, run: "ref")
            let uninterrupted = server.stats().requests
            server.reset()

            let store = EvalResumeTests.temporaryStore()
            let process = try CLIProcess.start(Self.arguments(baseURL: server.baseURL, store: store, run: "killed"))
            let target = Int.random(in: 1...40)
            while process.isRunning {
                try await Task.sleep(for: .milliseconds(10))
                guard FileManager.default.fileExists(atPath: store) else { continue }
                if try Self.stored(store, run: "killed").count >= target { break }
            }
            #expect(process.isRunning, "the evaluation finished before \(target) results were stored")
            process.send(SIGKILL)
            #expect(await process.wait(timeout: 10) == .signalled(SIGKILL))
            let finished = Set(try Self.stored(store, run: "killed").keys)
            let beforeKill = server.stats().requests
            server.reset()

            let resumed = try await CLIProcess.run(["resume", "killed", "--store", store])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let final = try Value(json: resumed.stdout)
            #expect(final["score"] == expected["score"])
            #expect(final["examples"] == 100)
            let outputs = try Self.stored(store, run: "killed")
            #expect(outputs.count == 100)
            // Same answers and trajectories (tool calls and observations) as the uninterrupted run.
            for (id, output) in outputs { #expect(output == referenceOutputs[id], "\(id)") }

            // No request after the kill was for a finished example: its agent steps and tool calls did not repeat.
            let questions = try EvalResumeTests.questionIDs("data/bignum_dev.jsonl")
            for record in server.recentRequests() {
                let question =
                    record.userMessage.components(separatedBy: "[[ ## question ## ]]\n").last?
                    .components(separatedBy: "\n").first ?? ""
                if let id = questions[question] { #expect(!finished.contains(id), "re-requested \(id)") }
            }
            // Every step already paid for is answered from the durable cache; only the calls in flight are resent.
            let overhead = beforeKill + server.stats().requests - uninterrupted
            #expect(overhead <= 4, "kill + resume sent \(overhead) requests more than an uninterrupted run")
            print("[measure] react eval kill at \(finished.count) results: \(overhead) requests sent again")
        }
    }
}
