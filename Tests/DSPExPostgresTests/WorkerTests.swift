import DSPEx
import DSPExPostgres
import DSPExProcess
import DSPExTesting
import Foundation
import Testing

extension PostgresServerTests {
    /// `dspex worker` processes sharing one evaluation through the PostgreSQL store, one of them killed with SIGKILL.
    @Suite(.timeLimit(.minutes(3)), .serialized)
    struct WorkerTests {
        /// The outputs and score stored for each example of a run.
        static func stored(_ store: PostgresStore, run: String) async throws -> [String: String] {
            let runID = try #require(try await store.run(named: run)?.id)
            let results = try await store.results(runID: runID)
            #expect(Set(results.map(\.exampleId)).count == results.count)
            return Dictionary(
                results.map { ($0.exampleId, "\($0.exampleIndex) \($0.outputs) \($0.score ?? -1)") },
                uniquingKeysWith: { first, _ in first })
        }

        @Test("3 workers share a queued eval; one SIGKILLed mid-shard, the others finish it as one process would")
        func threeWorkersOneKilled() async throws {
            try await StoreBackend.withFreshURL { url in try await Self.threeWorkersOneKilled(url: url) }
        }

        static func threeWorkersOneKilled(url: String) async throws {
            var simulator = SimulatorConfiguration()
            simulator.latency = .fixed(milliseconds: 20)
            try await withSimulatedLM(simulator) { _, server in
                let reference = try await ChildProcess.run(
                    ChildProcess.dspex, PostgresCLITests.evalArguments(baseURL: server.baseURL, store: url, run: "ref"))
                #expect(reference.status == 0, "\(reference.stderr)")
                let expected = try Value(json: reference.stdout)
                server.reset()

                let queued = try await ChildProcess.run(
                    ChildProcess.dspex,
                    PostgresCLITests.evalArguments(baseURL: server.baseURL, store: url, run: "shared")
                        + ["--workers-only", "--shard-size", "20"])
                #expect(queued.status == 0, "\(queued.stderr)")
                #expect(queued.stdout.contains("run shared"))
                #expect(queued.stderr.contains("200 examples in 10 shards"))
                #expect(server.stats().requests == 0)

                let workers = try (0..<3).map { _ in
                    try SpawnedProcess.start(
                        ChildProcess.dspex,
                        ["worker", "--store", url, "--concurrency", "4", "--lease", "2", "--exit-when-idle"])
                }
                // Kill the first worker at a random point of the work.
                let target = Int.random(in: 20...120)
                while workers[0].isRunning, server.stats().requests < target {
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(workers[0].isRunning, "the first worker ended before \(target) requests: \(workers[0].stderr)")
                workers[0].send(SIGKILL)
                #expect(await workers[0].wait(timeout: 10) == .signalled(SIGKILL))
                for worker in workers.dropFirst() {
                    #expect(await worker.wait(timeout: 120) == .exited(0), "\(worker.stderr)")
                }

                let store = try await PostgresStore.open(url: url)
                let record = try #require(try await store.run(named: "shared"))
                #expect(record.status == RunRecord.Status.completed)
                let totals = try JSONDecoder().decode(StoredTotals.self, from: Data((record.totals ?? "").utf8))
                #expect(totals.examples == 200)
                #expect(
                    abs(totals.score * 100 - (expected["score"]?.doubleValue ?? -1)) < 1e-9,
                    "\(totals.score) vs \(expected)")
                // The same examples at the same positions with the same outputs and scores as one process's run.
                #expect(try await stored(store, run: "shared") == stored(store, run: "ref"))
                let shards = try await store.shards(runID: try #require(record.id))
                #expect(shards.count == 10 && shards.allSatisfy { $0.status == ShardRecord.Status.done })
                #expect(shards.contains { $0.claims > 1 }, "no shard was taken over from the killed worker")
                // Sent again: only what the killed worker had in flight (4 requests, and up to 4 answered examples
                // waiting for their commit).
                let overhead = server.stats().requests - 200
                #expect(overhead <= 8, "the kill cost \(overhead) requests")
                // `dspex show` tells the shards' story and names the workers; `dspex runs` lists the workers.
                let show = try await ChildProcess.run(ChildProcess.dspex, ["show", "shared", "--store", url, "--json"])
                #expect(show.status == 0, "\(show.stderr)")
                let sharing = try Value(json: show.stdout)["sharing"]
                #expect(sharing?["shards"] == 10 && sharing?["done"] == 10)
                #expect((sharing?["taken_over"]?.intValue ?? 0) >= 1)
                #expect((sharing?["workers"]?.arrayValue?.count ?? 0) >= 2)
                let text = try await ChildProcess.run(ChildProcess.dspex, ["show", "shared", "--store", url])
                #expect(text.stdout.contains("10 of 10 done") && text.stdout.contains("workers:"))
                print("[measure] 3 workers, one killed after \(target) requests: \(overhead) requests sent again")
                await store.close()
            }
        }

        @Test("a run-wide request rate is shared by its workers: 2 workers together keep to it")
        func sharedRequestRate() async throws {
            try await StoreBackend.withFreshURL { url in try await Self.sharedRequestRate(url: url) }
        }

        static func sharedRequestRate(url: String) async throws {
            try await withSimulatedLM { _, server in
                // 40 requests at 600 a minute (10 a second, bursts of 10): at least 3 s, whatever the workers'
                // number; unlimited, the same run takes a fraction of a second.
                let queued = try await ChildProcess.run(
                    ChildProcess.dspex,
                    PostgresCLITests.evalArguments(baseURL: server.baseURL, store: url, run: "limited")
                        + ["--workers-only", "--shard-size", "10", "--limit", "40", "--run-requests-per-minute", "600"])
                #expect(queued.status == 0, "\(queued.stderr)")
                let started = ContinuousClock.now
                let workers = try (0..<2).map { _ in
                    try SpawnedProcess.start(
                        ChildProcess.dspex, ["worker", "--store", url, "--concurrency", "8", "--exit-when-idle"])
                }
                for worker in workers { #expect(await worker.wait(timeout: 60) == .exited(0), "\(worker.stderr)") }
                let elapsed = ContinuousClock.now - started
                #expect(server.stats().requests == 40)
                #expect(elapsed >= .milliseconds(2_800), "40 requests at 10/s took only \(elapsed)")
                print("[measure] 40 requests at a shared 600/min by 2 workers: \(elapsed)")
            }
        }
    }
}
