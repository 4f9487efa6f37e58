import DSPExTesting
import Foundation
import GRDB
import Testing

@testable import DSPEx

/// The CLI as a shell over runs: flags beat the file's settings on the wire, compile takes what eval takes,
/// resume is idempotent, stored totals count every call, and runs stored by an earlier version still resume.
@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct RunPlanCommandTests {
    static func eval(_ server: SimulatorServer, store: String, run: String, _ extra: [String] = []) -> [String] {
        EvalResumeTests.evalArguments(baseURL: server.baseURL, store: store, run: run) + extra
    }

    @Test("--temperature and --max-reply-tokens reach the server over the file's values; without them the file's do")
    func flagsBeatTheFile() async throws {
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let flagged = try await CLIProcess.run(
                Self.eval(
                    server, store: store, run: "t1",
                    ["--limit", "5", "--temperature", "0.7", "--max-reply-tokens", "77"]))
            #expect(flagged.status == 0, "\(flagged.stderr)")
            let sent = server.recentRequests()
            #expect(sent.count == 5)
            #expect(sent.allSatisfy { $0.temperature == 0.7 && $0.maxTokens == 77 })
            server.reset()
            let plain = try await CLIProcess.run(
                Self.eval(server, store: store, run: "t2", ["--limit", "5", "--no-cache"]))
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(server.recentRequests().allSatisfy { $0.temperature == 0.0 && $0.maxTokens == nil })
        }
    }

    static let judgedOptionalPipeline = """
        name: judged-optional
        stages:
          - id: solve
            signature: "question, hint: Optional[str] -> answer: int"
            inputs: {question: input.question, hint: input.hint}
        outputs: {answer: solve.answer}
        metric:
          name: judge
          signature: "question, gold_answer: int, predicted_answer: int -> correct: bool"
          inputs: {gold_answer: example.answer, predicted_answer: prediction.answer}
        """

    @Test("compile takes what eval takes: an LM-judged metric and an optional input the data lacks")
    func compileTakesWhatEvalTakes() async throws {
        let file = try RunCommandTests.temporaryFile("judged.yaml", Self.judgedOptionalPipeline)
        defer { try? FileManager.default.removeItem(at: file) }
        let train = try RunCommandTests.temporaryFile(
            "train.jsonl",
            (1...12).map { #"{"id": "t\#($0)", "question": "What is \#($0) + 1?", "answer": \#($0 + 1)}"# }
                .joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: train) }
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let evaluated = try await CLIProcess.run([
                "eval", file.path, "--data", train.path, "--lm", "dspex-sim", "--base-url", server.baseURL,
                "--store", store, "--run", "e", "--json",
            ])
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
            let compiled = try await CLIProcess.run([
                "compile", file.path, "--trainset", train.path, "--optimizer", "bootstrap", "--lm", "dspex-sim",
                "--base-url", server.baseURL, "--store", store, "--run", "c",
            ])
            #expect(compiled.status == 0, "\(compiled.stderr)")
            #expect(compiled.stdout.contains("\"demos\""))
        }
    }

    @Test("resuming a completed run exits 0 with its summary; a completed compile writes --out")
    func resumeIsIdempotent() async throws {
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let first = try await CLIProcess.run(Self.eval(server, store: store, run: "done", ["--limit", "10"]))
            #expect(first.status == 0, "\(first.stderr)")
            server.reset()
            for _ in 0..<2 {
                let again = try await CLIProcess.run(["resume", "done", "--store", store])
                #expect(again.status == 0, "\(again.stderr)")
                #expect(try Value(json: again.stdout)["score"] == (try Value(json: first.stdout))["score"])
            }
            #expect(server.stats().requests == 0)

            let compiled = try await CLIProcess.run([
                "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--trainset",
                RunCommandTests.path("data/arithmetic_train.jsonl"), "--optimizer", "labeled", "--lm", "dspex-sim",
                "--base-url", server.baseURL, "--store", store, "--run", "lab",
            ])
            #expect(compiled.status == 0, "\(compiled.stderr)")
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: out) }
            let resumed = try await CLIProcess.run(["resume", "lab", "--store", store, "--out", out.path])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stdout.contains("wrote \(out.path)"))
            let saved = try Value(json: String(contentsOf: out, encoding: .utf8))
            #expect(saved["solve"]?["demos"]?.arrayValue?.isEmpty == false)
        }
    }

    @Test("a compile run's stored totals count the proposer's calls: they equal the server's count")
    func compileTotalsCountEveryCall() async throws {
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let train = try RunCommandTests.temporaryFile(
                "train.jsonl",
                (1...8).map { #"{"id": "t\#($0)", "question": "What is \#($0) + 2?", "answer": \#($0 + 2)}"# }
                    .joined(separator: "\n"))
            defer { try? FileManager.default.removeItem(at: train) }
            let compiled = try await CLIProcess.run([
                "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--trainset", train.path,
                "--optimizer", "copro", "--breadth", "3", "--depth", "1", "--lm", "dspex-sim", "--base-url",
                server.baseURL, "--store", store, "--run", "cp",
            ])
            #expect(compiled.status == 0, "\(compiled.stderr)")
            let runs = try await CLIProcess.run(["runs", "--json", "--store", store])
            let row = try #require(try Value(json: runs.stdout).arrayValue?.first)
            #expect(row["lm_calls"]?.intValue == server.stats().requests)
            #expect((row["lm_calls"]?.intValue ?? 0) > 8)
        }
    }

    @Test("runs stored by the previous version (no plan; the command line in the config) resume, then keep a plan")
    func previousVersionRunsResume() async throws {
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let arguments = Self.eval(server, store: store, run: "old", ["--limit", "20", "--max-calls", "5"])
            let stopped = try await CLIProcess.run(arguments)
            #expect(stopped.status == 3, "\(stopped.stderr)")
            // What the previous version stored: no plan, the arguments to replay (without run and store) in config.
            let database = try SQLiteStore(path: store)
            let record = try #require(try database.run(named: "old"))
            var replay: [String] = []
            var skip = false
            for argument in arguments.dropFirst() {
                if skip { skip = false; continue }
                if argument == "--run" || argument == "--store" || argument == "--max-calls" { skip = true; continue }
                replay.append(argument)
            }
            let config = Value.object([
                "metric": (try Value(json: record.config))["metric"] ?? .null,
                "arguments": .array(replay.map(Value.string)),
            ]).jsonString()
            try await database.pool.write { db in
                try db.execute(
                    sql: "UPDATE run SET plan = NULL, config = ? WHERE name = 'old'",
                    arguments: [config])
            }
            let resumed = try await CLIProcess.run(["resume", "old", "--store", store])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(try Value(json: resumed.stdout)["examples"] == 20)
            #expect(try SQLiteStore(path: store).run(named: "old")?.plan != nil)
        }
    }

    @Test("a compile run stored by the previous version resumes from its stored command line")
    func previousVersionCompileResumes() async throws {
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let replay = [
                RunCommandTests.path("pipelines/arithmetic.yaml"), "--trainset",
                RunCommandTests.path("data/arithmetic_train.jsonl"), "--optimizer", "bootstrap", "--lm", "dspex-sim",
                "--base-url", server.baseURL,
            ]
            let compiled = try await CLIProcess.run(["compile"] + replay + ["--store", store, "--run", "oldc"])
            #expect(compiled.status == 0, "\(compiled.stderr)")
            let database = try SQLiteStore(path: store)
            let record = try #require(try database.run(named: "oldc"))
            let config = Value.object([
                "metric": (try Value(json: record.config))["metric"] ?? .null, "optimizer": "bootstrap",
                "arguments": .array(replay.map(Value.string)),
            ]).jsonString()
            try await database.pool.write { db in
                try db.execute(
                    sql: "UPDATE run SET plan = NULL, status = 'stopped', config = ? WHERE name = 'oldc'",
                    arguments: [config])
            }
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: out) }
            let resumed = try await CLIProcess.run(["resume", "oldc", "--store", store, "--out", out.path])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(FileManager.default.fileExists(atPath: out.path))
            #expect(try SQLiteStore(path: store).run(named: "oldc")?.status == RunRecord.Status.completed)
        }
    }
}
