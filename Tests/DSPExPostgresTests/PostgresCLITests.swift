import DSPEx
import DSPExPostgres
import DSPExProcess
import DSPExTesting
import Foundation
import Testing

extension PostgresServerTests {
    /// `dspex` with `--store postgresql://…`: evaluations stored in PostgreSQL, listed, shown, sharing the LM cache,
    /// and resumed after SIGKILL — against the simulator on loopback and the test server.
    @Suite(.timeLimit(.minutes(3)))
    struct PostgresCLITests {
        /// A file of the repository.
        static func path(_ relative: String) -> String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(relative).path
        }

        static func evalArguments(baseURL: String, store: String, run: String, cache: Bool = false) -> [String] {
            [
                "eval", path("pipelines/arithmetic.yaml"), "--data", path("data/arithmetic_dev.jsonl"), "--lm",
                "dspex-sim", "--base-url", baseURL, "--concurrency", "4", "--store", store, "--run", run, "--json",
            ] + (cache ? [] : ["--no-cache"])
        }

        @Test("an eval stored in PostgreSQL is listed and shown; a second eval is answered by the shared LM cache")
        func evalListShowCache() async throws {
            try await StoreBackend.withFreshURL { url in try await Self.evalListShowCache(url: url) }
        }

        static func evalListShowCache(url: String) async throws {
            try await withSimulatedLM { _, server in
                let first = try await ChildProcess.run(
                    ChildProcess.dspex,
                    Self.evalArguments(baseURL: server.baseURL, store: url, run: "pg-1", cache: true))
                #expect(first.status == 0, "\(first.stderr)")
                let summary = try Value(json: first.stdout)
                #expect(summary["examples"] == 200)
                #expect(server.stats().requests == 200)

                let runs = try await ChildProcess.run(ChildProcess.dspex, ["runs", "--store", url])
                #expect(runs.status == 0, "\(runs.stderr)")
                #expect(runs.stdout.contains("pg-1") && runs.stdout.contains("completed"))
                let show = try await ChildProcess.run(ChildProcess.dspex, ["show", "pg-1", "--store", url])
                #expect(show.status == 0, "\(show.stderr)")
                #expect(show.stdout.contains("200"))

                // Another process, another run: every call is a hit in the cache the first one filled.
                server.reset()
                let second = try await ChildProcess.run(
                    ChildProcess.dspex,
                    Self.evalArguments(baseURL: server.baseURL, store: url, run: "pg-2", cache: true))
                #expect(second.status == 0, "\(second.stderr)")
                #expect(try Value(json: second.stdout)["score"] == summary["score"])
                #expect(server.stats().requests == 0)
            }
        }

        @Test("a SIGKILLed eval on PostgreSQL resumes to the same score, each example stored once")
        func killAndResume() async throws {
            try await StoreBackend.withFreshURL { url in try await Self.killAndResume(url: url) }
        }

        static func killAndResume(url: String) async throws {
            var simulator = SimulatorConfiguration()
            simulator.latency = .fixed(milliseconds: 60)
            try await withSimulatedLM(simulator) { _, server in
                let reference = try await ChildProcess.run(
                    ChildProcess.dspex, Self.evalArguments(baseURL: server.baseURL, store: url, run: "ref"))
                #expect(reference.status == 0, "\(reference.stderr)")
                let expected = try Value(json: reference.stdout)
                server.reset()

                let process = try SpawnedProcess.start(
                    ChildProcess.dspex, Self.evalArguments(baseURL: server.baseURL, store: url, run: "killed"))
                let target = Int.random(in: 10...120)
                while process.isRunning, server.stats().requests < target {
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(process.isRunning, "the evaluation finished before \(target) requests")
                process.send(SIGKILL)
                #expect(await process.wait(timeout: 10) == .signalled(SIGKILL))
                let beforeKill = server.stats().requests
                server.reset()

                let resumed = try await ChildProcess.run(ChildProcess.dspex, ["resume", "killed", "--store", url])
                #expect(resumed.status == 0, "\(resumed.stderr)")
                let final = try Value(json: resumed.stdout)
                #expect(final["score"] == expected["score"] && final["examples"] == 200)
                let store = try await PostgresStore.open(url: url)
                let runID = try #require(try await store.run(named: "killed")?.id)
                let ids = try await store.results(runID: runID).map(\.exampleId)
                #expect(ids.count == 200 && Set(ids).count == 200)
                await store.close()
                // What was in flight at the kill is all that is asked again: at most --concurrency 4 requests, and the
                // examples answered but not yet committed (a round trip to the server, in which at most 4 more finish).
                let overhead = beforeKill + server.stats().requests - 200
                #expect(overhead <= 8, "kill + resume sent \(overhead) requests more than an uninterrupted run")
            }
        }
    }
}
