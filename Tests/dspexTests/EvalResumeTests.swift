import DSPEx
import DSPExTesting
import Foundation
import Testing

/// Real `dspex eval` processes, killed with SIGKILL and resumed, against the simulator on loopback.
@Suite(.timeLimit(.minutes(2)), .tags(.integration))
struct EvalResumeTests {
    static func temporaryStore() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString)/dspex.sqlite").path
    }

    static func evalArguments(baseURL: String, store: String, run: String) -> [String] {
        [
            "eval", RunCommandTests.path("pipelines/arithmetic.yaml"), "--data",
            RunCommandTests.path("data/arithmetic_dev.jsonl"), "--lm", "dspex-sim", "--base-url", baseURL,
            "--concurrency", "4", "--store", store, "--run", run, "--json",
        ]
    }

    /// A dataset's question → id (the arithmetic dev set by default).
    static func questionIDs(_ file: String = "data/arithmetic_dev.jsonl") throws -> [String: String] {
        let text = try String(contentsOfFile: RunCommandTests.path(file), encoding: .utf8)
        var map: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let row = try Value(json: String(line))
            if let question = row["question"]?.stringValue, let id = row["id"]?.stringValue { map[question] = id }
        }
        return map
    }

    static func storedIDs(_ path: String, run: String) throws -> [String] {
        let store = try SQLiteStore(path: path)
        guard let id = try store.run(named: run)?.id else { return [] }
        return try store.results(runID: id).map(\.exampleId)
    }

    @Test("a SIGKILLed eval resumes to the same score without losing, repeating or re-requesting finished examples")
    func killAndResume() async throws {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 60)  // a wide window to kill in, even on a loaded machine
        try await withSimulatedLM(simulator) { _, server in
            // The uninterrupted reference run.
            let referenceStore = Self.temporaryStore()
            let reference = try await CLIProcess.run(
                Self.evalArguments(baseURL: server.baseURL, store: referenceStore, run: "ref"))
            #expect(reference.status == 0, "\(reference.stderr)")
            let expected = try Value(json: reference.stdout)
            #expect(expected["examples"] == 200)
            let uninterrupted = server.stats().requests
            server.reset()

            // The same evaluation with a fresh store and cache, killed at a random moment.
            let store = Self.temporaryStore()
            let process = try CLIProcess.start(
                Self.evalArguments(baseURL: server.baseURL, store: store, run: "killed"))
            // Kill once a random number of results is stored (each result is committed as soon as it is pending), plus a
            // random few milliseconds: a random point of the work, whatever the machine's load.
            let target = Int.random(in: 1...60)
            while process.isRunning {
                try await Task.sleep(for: .milliseconds(10))
                guard FileManager.default.fileExists(atPath: store) else { continue }
                if try Self.storedIDs(store, run: "killed").count >= target { break }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...20)))
            #expect(process.isRunning, "the evaluation finished before \(target) results were stored")
            process.send(SIGKILL)
            #expect(await process.wait(timeout: 10) == .signalled(SIGKILL))

            let beforeResume = Set(try Self.storedIDs(store, run: "killed"))
            #expect(beforeResume.count < 200)
            let beforeKill = server.stats().requests
            server.reset()

            let resumed = try await CLIProcess.run(["resume", "killed", "--store", store])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let final = try Value(json: resumed.stdout)
            #expect(final["score"] == expected["score"])
            #expect(final["examples"] == 200)
            #expect(final["errors"] == expected["errors"])

            let ids = try Self.storedIDs(store, run: "killed")
            #expect(ids.count == 200)
            #expect(Set(ids).count == 200)

            // No request after the kill was for an example whose result was already stored.
            let questions = try Self.questionIDs()
            for record in server.recentRequests() {
                let question =
                    record.userMessage.components(separatedBy: "[[ ## question ## ]]\n").last?
                    .components(separatedBy: "\n").first ?? ""
                if let id = questions[question] { #expect(!beforeResume.contains(id), "re-requested \(id)") }
            }
            // Nothing paid for is asked again but what was in flight at the kill (at most --concurrency 4).
            let overhead = beforeKill + server.stats().requests - uninterrupted
            #expect(overhead <= 4, "kill + resume sent \(overhead) requests more than an uninterrupted run")
            print("[measure] eval kill at \(beforeResume.count) results: \(overhead) requests sent again")
        }
    }

    @Test("a resumed run with a changed pipeline is refused with an explanation")
    func mismatchedResumeIsRefused() async throws {
        try await withSimulatedLM { _, server in
            let store = Self.temporaryStore()
            let first = try await CLIProcess.run(
                Self.evalArguments(baseURL: server.baseURL, store: store, run: "r1") + ["--limit", "5"])
            #expect(first.status == 0, "\(first.stderr)")
            var arguments = Self.evalArguments(baseURL: server.baseURL, store: store, run: "r1")
            arguments[1] = RunCommandTests.path("pipelines/arithmetic_cot.yaml")
            arguments[arguments.firstIndex(of: "--run")!] = "--resume"
            let second = try await CLIProcess.run(arguments)
            #expect(second.status == 1)
            #expect(second.stderr.contains("pipeline changed"), "\(second.stderr)")
            let reused = try await CLIProcess.run(Self.evalArguments(baseURL: server.baseURL, store: store, run: "r1"))
            #expect(reused.status == 1)
            #expect(reused.stderr.contains("already exists"))
        }
    }

    @Test("an identical rerun is answered from the persistent cache with zero LM calls")
    func cacheAcrossProcesses() async throws {
        try await withSimulatedLM { _, server in
            let store = Self.temporaryStore()
            let first = try await CLIProcess.run(
                Self.evalArguments(baseURL: server.baseURL, store: store, run: "c1") + ["--limit", "20"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try Value(json: first.stdout)["lm_calls"] == 20)
            server.reset()
            let second = try await CLIProcess.run(
                Self.evalArguments(baseURL: server.baseURL, store: store, run: "c2") + ["--limit", "20"])
            #expect(second.status == 0, "\(second.stderr)")
            let result = try Value(json: second.stdout)
            #expect(result["lm_calls"] == 0)
            #expect(result["cached_calls"] == 20)
            #expect(server.stats().requests == 0)
            let bypass = try await CLIProcess.run(
                Self.evalArguments(baseURL: server.baseURL, store: store, run: "c3") + ["--limit", "20", "--no-cache"])
            #expect(try Value(json: bypass.stdout)["lm_calls"] == 20)
        }
    }

    @Test("a call budget stops the run resumably and the resume finishes it")
    func budgetStop() async throws {
        try await withSimulatedLM { _, server in
            let store = Self.temporaryStore()
            let stopped = try await CLIProcess.run(
                Self.evalArguments(baseURL: server.baseURL, store: store, run: "b1") + [
                    "--limit", "40", "--max-calls", "10",
                ])
            #expect(stopped.status == 3, "\(stopped.stderr)")
            #expect(stopped.stderr.contains("dspex resume b1"))
            let partial = try Self.storedIDs(store, run: "b1")
            #expect(partial.count <= 10)
            #expect(partial.count > 0)
            let resumed = try await CLIProcess.run(["resume", "b1", "--store", store])
            // The resumed run keeps the original budget, so it stops again after 10 more calls.
            #expect(resumed.status == 3 || resumed.status == 0, "\(resumed.stderr)")
            #expect(try Self.storedIDs(store, run: "b1").count > partial.count)
        }
    }
}
