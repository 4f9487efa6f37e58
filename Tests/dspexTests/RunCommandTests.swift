import DSPEx
import DSPExTesting
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct RunCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func temporaryFile(_ name: String, _ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString)-\(name)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("dspex run writes one JSON line per example and a summary")
    func runWritesResults() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: out) }
        let output = try await CLIProcess.run([
            "run", Self.path("pipelines/arithmetic_checked.yaml"), "--data", Self.path("data/arithmetic_dev.jsonl"),
            "--out", out.path, "--ordered",
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("200 examples, 0 errors, 600 LM calls"))
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 200)
        let first = try Value(json: String(lines[0]))
        #expect(first["id"] == "dev-0001")
        #expect(first["outputs"]?["answer"]?.intValue != nil)
        #expect(first["error"] == .null)
    }

    @Test("dspex validate accepts the example pipelines")
    func validateExamples() async throws {
        for file in ["arithmetic", "arithmetic_cot", "arithmetic_checked"] {
            let output = try await CLIProcess.run(["validate", Self.path("pipelines/\(file).yaml")])
            #expect(output.status == 0, "\(file): \(output.stderr)")
            #expect(output.stdout.contains("ok"))
        }
    }

    @Test("dspex validate names each module stage's kind and parameters, and an agent's tools")
    func validateModuleFamily() async throws {
        let expected = [
            "arithmetic_react": ["solve (react, max_iters 5)", "tools: calculator", "calculator, whose description"],
            "sampling_best_of_n": ["solve (best_of_n of chain_of_thought, n 3, threshold 1.0, reward field_matches"],
            "sampling_refine": ["solve (refine of predict, n 3,", "reward max_length"],
            "sampling_multi_chain_comparison": ["solve (multi_chain_comparison, m 3, temperature"],
            "knn_few_shot": ["solve (knn_few_shot of predict, k 3)"],
        ]
        for (file, lines) in expected {
            let output = try await CLIProcess.run(["validate", Self.path("pipelines/\(file).yaml")])
            #expect(output.status == 0, "\(file): \(output.stderr)")
            for line in lines { #expect(output.stdout.contains(line), "\(file): \(output.stdout)") }
        }
    }

    @Test("a malformed pipeline file is reported with file:line:column and a non-zero exit")
    func malformedPipeline() async throws {
        let file = try Self.temporaryFile(
            "bad.yaml",
            """
            name: bad
            stages:
              - id: solve
                signatrue: "question -> answer"
                inputs:
                  question: input.question
            """)
        defer { try? FileManager.default.removeItem(at: file) }
        for command in ["validate", "run"] {
            var arguments = [command, file.path]
            if command == "run" { arguments += ["--data", Self.path("data/arithmetic_dev.jsonl")] }
            let output = try await CLIProcess.run(arguments)
            #expect(output.status == 1)
            #expect(output.stderr.contains("\(file.path):4:5: error: unknown key 'signatrue'"), "\(output.stderr)")
            #expect(output.stderr.contains("did you mean 'signature'?"))
        }
    }

    @Test("a bad dataset row stops the run with its row number; --on-bad-row skip counts it")
    func badDatasetRow() async throws {
        let data = try Self.temporaryFile(
            "data.jsonl",
            """
            {"id": "a", "question": "What is 1 + 1?", "answer": 2}
            {"id": "b", "question": "What is 2 + 2?", "answer": 4
            {"id": "c", "answer": 6}
            {"id": "d", "question": "What is 4 + 4?", "answer": 8}

            """)
        defer { try? FileManager.default.removeItem(at: data) }
        let stopped = try await CLIProcess.run(["run", Self.path("pipelines/arithmetic.yaml"), "--data", data.path])
        #expect(stopped.status == 1)
        #expect(stopped.stderr.contains("row 2"), "\(stopped.stderr)")
        #expect(!stopped.stdout.contains("\"id\":\"b\""))

        let skipped = try await CLIProcess.run([
            "run", Self.path("pipelines/arithmetic.yaml"), "--data", data.path, "--on-bad-row", "skip",
        ])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("2 examples"))
        #expect(skipped.stderr.contains("2 bad rows skipped"))
        #expect(skipped.stdout.split(separator: "\n").count == 2)
    }

    @Test("a missing dataset file is a clear error")
    func missingDataset() async throws {
        let output = try await CLIProcess.run([
            "run", Self.path("pipelines/arithmetic.yaml"), "--data", "/nonexistent/x.jsonl",
        ])
        #expect(output.status == 1)
        #expect(output.stderr.contains("/nonexistent/x.jsonl"))
    }
}

@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct RunInterruptTests {
    @Test("Ctrl-C stops a run cleanly: what finished is written and the exit status says it was interrupted")
    func interruptFlushesFinishedWork() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: out) }
        let process = try CLIProcess.start([
            "run", RunCommandTests.path("pipelines/arithmetic.yaml"), "--data",
            RunCommandTests.path("data/arithmetic_dev.jsonl"), "--out", out.path, "--sim-latency-ms", "400",
            "--concurrency", "4",
        ])
        // Interrupted once it handles Ctrl-C (a loaded machine may take a while to get there) and has had time to
        // finish some examples.
        for _ in 0..<600 {
            if try Self.caughtSignals(of: process.pid).contains(SIGINT) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(1000))
        process.send(SIGINT)
        #expect(await process.wait(timeout: 20) == .exited(130))
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 0)
        #expect(lines.count < 200)
        for line in lines { #expect((try? Value(json: String(line)))?["outputs"] != nil) }
        #expect(process.stderr.contains("interrupted"))
    }

    /// The signals process `pid` ignores or catches, read from `/proc/<pid>/status` (Linux).
    static func caughtSignals(of pid: pid_t) throws -> Set<Int32> {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        var signals: Set<Int32> = []
        for line in status.split(separator: "\n") where line.hasPrefix("SigIgn:") || line.hasPrefix("SigCgt:") {
            guard let mask = UInt64(line.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16)
            else { continue }
            signals.formUnion((1...64).filter { mask & (1 << UInt64($0 - 1)) != 0 }.map(Int32.init))
        }
        return signals
    }
}
