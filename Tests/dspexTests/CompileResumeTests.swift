import DSPEx
import DSPExTesting
import Foundation
import Testing

/// Real `dspex compile` processes — MIPROv2, GEPA and SIMBA killed with SIGKILL; MIPROv2 detached and cancelled —
/// resumed against the simulator on loopback.
@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct CompileResumeTests {
    /// MIPROv2's options in these tests.
    static let mipro = ["--optimizer", "mipro", "--auto", "light"]
    /// GEPA's options: the light preset, the Pareto front tracked on the dev set.
    static let gepa = [
        "--optimizer", "gepa", "--auto", "light", "--valset", RunCommandTests.path("data/arithmetic_dev.jsonl"),
    ]
    /// SIMBA's options: a small run of 4 steps of 4 candidates on minibatches of 16.
    static let simba = ["--optimizer", "simba", "--bsize", "16", "--num-candidates", "4", "--max-steps", "4"]

    static func compileArguments(
        baseURL: String, store: String, run: String, out: String, optimizer: [String] = mipro
    ) -> [String] {
        ["compile", RunCommandTests.path("pipelines/arithmetic.yaml")] + optimizer + [
            "--trainset", RunCommandTests.path("data/arithmetic_train.jsonl"), "--lm", "dspex-sim", "--base-url",
            baseURL, "--no-cache", "--store", store, "--run", run, "--out", out,
        ]
    }

    /// A saved program without its metadata, for comparing programs.
    static func program(at path: String) throws -> Value {
        var object = try Value(json: String(contentsOfFile: path, encoding: .utf8)).objectValue ?? [:]
        object["metadata"] = nil
        return .object(object)
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// How many times each request (by fingerprint) was sent.
    static func fingerprintCounts(_ requests: [SimulatorRequestRecord]) -> [String: Int] {
        requests.reduce(into: [:]) { counts, record in
            if let fingerprint = record.fingerprint { counts[fingerprint, default: 0] += 1 }
        }
    }

    static func bestScoreLine(_ output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("best score") }.map(String.init)
    }

    @Test("a SIGKILLed MIPROv2 compile resumes to the same program and score, re-sending no stored request")
    func killAndResume() async throws {
        try await Self.killAndResume(optimizer: Self.mipro, label: "mipro")
    }

    @Test("a SIGKILLed GEPA compile resumes to the same program and score, re-sending no stored request")
    func killAndResumeGEPA() async throws {
        try await Self.killAndResume(optimizer: Self.gepa, label: "gepa")
    }

    @Test("a SIGKILLed SIMBA compile resumes to the same program and score, re-sending no stored request")
    func killAndResumeSIMBA() async throws {
        try await Self.killAndResume(optimizer: Self.simba, label: "simba")
    }

    /// Runs a compile with `optimizer`'s options uninterrupted, then again killed with SIGKILL at a random point of
    /// its work and resumed with `dspex resume`, and checks that both end with the same program and score and that
    /// the kill cost only the requests in flight.
    static func killAndResume(optimizer: [String], label: String) async throws {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: 10)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        try await withSimulatedLM(simulator) { _, server in
            // The uninterrupted reference run (no LM cache: only the run's own records can spare requests).
            let reference = try await CLIProcess.run(
                Self.compileArguments(
                    baseURL: server.baseURL, store: path("ref.sqlite"), run: "ref", out: path("ref.json"),
                    optimizer: optimizer))
            #expect(reference.status == 0, "\(reference.stderr)")
            let expectedScore = try #require(Self.bestScoreLine(reference.stdout))
            let uninterrupted = server.stats().requests
            let referenceRequests = Self.fingerprintCounts(server.recentRequests())
            server.reset()

            // The same compile killed at a random moment inside the run.
            let process = try CLIProcess.start(
                Self.compileArguments(
                    baseURL: server.baseURL, store: path("killed.sqlite"), run: "killed", out: path("killed.json"),
                    optimizer: optimizer))
            // Kill once a random share of the reference run's requests has reached the server: a random point of the
            // work, whatever the machine's speed. (The server's count is in memory, so a poll sees it at once; a poll
            // of the store can miss the quick bursts of results near a run's end on a loaded machine.)
            let target = Int.random(in: (uninterrupted / 10)...(uninterrupted * 6 / 10))
            while process.isRunning, server.stats().requests < target {
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(
                process.isRunning,
                "the run ended before \(target) of \(uninterrupted) requests were sent: \(process.stderr)")
            process.send(SIGKILL)
            #expect(await process.wait(timeout: 10) == .signalled(SIGKILL))
            let sentBeforeKill = server.recentRequests()
            let requestsBeforeKill = server.stats().requests
            #expect(
                try SQLiteStore(path: path("killed.sqlite")).run(named: "killed")?.status == RunRecord.Status.running)
            server.reset()

            let resumed = try await CLIProcess.run(["resume", "killed", "--store", path("killed.sqlite")])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(Self.bestScoreLine(resumed.stdout) == expectedScore)
            #expect(try Self.program(at: path("killed.json")) == Self.program(at: path("ref.json")))
            #expect(
                try SQLiteStore(path: path("killed.sqlite")).run(named: "killed")?.status == RunRecord.Status.completed)

            // A request sent again after the resume can only be one whose example was in flight when the process
            // died (admitted by the scheduler — at most 32 at once for one stage of concurrency 16 — but not yet
            // recorded): few, and among the last requests before the kill, never one recorded long before. A run may
            // itself send a request more than once (SIMBA runs a program on an example again in a later step), so a
            // request counts as sent again only beyond the times the uninterrupted run sent it; its index is that of
            // its last sending before the kill.
            let inFlight = 32
            let lastIndex = Dictionary(
                sentBeforeKill.compactMap { record in record.fingerprint.map { ($0, record.index) } },
                uniquingKeysWith: { _, last in last })
            let before = Self.fingerprintCounts(sentBeforeKill)
            let repeated = Self.fingerprintCounts(server.recentRequests()).flatMap { fingerprint, after -> [Int] in
                guard let index = lastIndex[fingerprint] else { return [] }
                let extra = before[fingerprint, default: 0] + after - referenceRequests[fingerprint, default: 0]
                return Array(repeating: index, count: max(0, min(after, extra)))
            }
            let lastBeforeKill = sentBeforeKill.map(\.index).max() ?? 0
            #expect(repeated.count <= inFlight, "repeated \(repeated.sorted())")
            let overhead = requestsBeforeKill + server.stats().requests - uninterrupted
            #expect(overhead <= inFlight, "kill + resume sent \(overhead) requests more than an uninterrupted run")
            print(
                "[measure] \(label) compile kill at \(requestsBeforeKill) of \(uninterrupted) requests: "
                    + "\(overhead) requests sent again")
            #expect(repeated.allSatisfy { $0 > lastBeforeKill - 3 * inFlight }, "repeated \(repeated.sorted())")
        }
    }

    @Test("--detach returns the run name at once; dspex cancel stops it resumably; dspex resume completes it")
    func detachCancelResume() async throws {
        var simulator = SimulatorConfiguration()
        // Slow enough that the background run cannot finish before the cancel, even on a loaded machine.
        simulator.latency = .fixed(milliseconds: 100)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("dspex.sqlite").path
        let out = folder.appendingPathComponent("program.json").path
        try await withSimulatedLM(simulator) { _, server in
            let detached = try await CLIProcess.run(
                Self.compileArguments(baseURL: server.baseURL, store: store, run: "bg", out: out) + [
                    "--detach", "--concurrency", "2",
                ])
            #expect(detached.status == 0, "\(detached.stderr)")
            #expect(detached.stdout == "run bg\n")
            #expect(detached.stderr.contains("logs/bg.log"))

            // Wait until the background process has done some work.
            let log = folder.appendingPathComponent("logs/bg.log")
            for _ in 0..<400 {
                if let text = try? String(contentsOf: log, encoding: .utf8), text.contains("search:") { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            let runs = try Value(json: try await CLIProcess.run(["runs", "--json", "--store", store]).stdout)
            #expect(runs[0]?["status"] == "running")
            #expect(runs[0]?["kind"] == "compile")

            let cancelled = try await CLIProcess.run(["cancel", "bg", "--store", store])
            #expect(cancelled.status == 0, "\(cancelled.stderr)")
            #expect(cancelled.stdout.contains("run bg is stopped"))
            #expect(try SQLiteStore(path: store).run(named: "bg")?.status == RunRecord.Status.stopped)

            let resumed = try await CLIProcess.run(["resume", "bg", "--store", store])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stdout.hasPrefix("run bg\n"))
            #expect(FileManager.default.fileExists(atPath: out))
            #expect(try SQLiteStore(path: store).run(named: "bg")?.status == RunRecord.Status.completed)
            let again = try await CLIProcess.run(["cancel", "bg", "--store", store])
            #expect(again.stdout.contains("is completed; nothing to cancel"))
        }
    }
}
