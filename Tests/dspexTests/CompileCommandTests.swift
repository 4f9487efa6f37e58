import DSPEx
import DSPExTesting
import Foundation
import Testing

@Suite(.timeLimit(.minutes(2)), .tags(.integration))
struct CompileCommandTests {
    @Test("dspex compile --optimizer bootstrap writes a DSPy-layout program that lifts the dev score to 85% or more")
    func bootstrapCompileThenEval() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let store = EvalResumeTests.temporaryStore()
        try await withSimulatedLM { _, server in
            let compiled = try await CLIProcess.run([
                "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--optimizer", "bootstrap",
                "--trainset", RunCommandTests.path("data/arithmetic_train.jsonl"), "--valset",
                RunCommandTests.path("data/arithmetic_dev.jsonl"), "--out", out.path, "--lm", "dspex-sim",
                "--base-url", server.baseURL, "--store", store, "--run", "boot",
            ])
            #expect(compiled.status == 0, "\(compiled.stderr)")
            #expect(compiled.stdout.hasPrefix("run boot\n"))
            #expect(try SQLiteStore(path: store).run(named: "boot")?.status == RunRecord.Status.completed)
            let program = try Value(json: String(contentsOf: out, encoding: .utf8))
            #expect(program["solve"]?["demos"]?.arrayValue?.count == 16)
            #expect(program["metadata"]?["dependency_versions"] == [:])

            let evaluated = try await CLIProcess.run([
                "eval", RunCommandTests.path("pipelines/arithmetic.yaml"), "--data",
                RunCommandTests.path("data/arithmetic_dev.jsonl"), "--program", out.path, "--lm", "dspex-sim",
                "--base-url", server.baseURL, "--store", store, "--run", "optimized", "--json",
            ])
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
            let score = try Value(json: evaluated.stdout)["score"]?.doubleValue ?? 0
            #expect(score >= 85, "score \(score)")
        }
    }

    @Test("dspex compile --optimizer simba runs from the CLI; --reflection-lm takes the proposals off the task server")
    func reflectionModelProposes() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let store = EvalResumeTests.temporaryStore()
        try await withSimulatedLM { _, task in
            try await withSimulatedLM { _, reflection in
                let simba = try await CLIProcess.run([
                    "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--optimizer", "simba",
                    "--bsize", "8", "--num-candidates", "3", "--max-steps", "3", "--seed", "1",
                    "--trainset", RunCommandTests.path("data/arithmetic_train.jsonl"), "--out", out.path,
                    "--lm", "dspex-sim", "--base-url", task.baseURL, "--reflection-lm", "reflector",
                    "--reflection-base-url", reflection.baseURL, "--store", store, "--run", "simba",
                ])
                #expect(simba.status == 0, "\(simba.stderr)")
                #expect(try SQLiteStore(path: store).run(named: "simba")?.status == RunRecord.Status.completed)
                #expect(try Value(json: String(contentsOf: out, encoding: .utf8))["solve"] != nil)
                #expect(task.stats().requests > 8 * 3)

                // COPRO's proposals (breadth - 1 = 2 for the one predictor) go to the reflection model only.
                let tasks = task.stats().requests
                let copro = try await CLIProcess.run([
                    "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--optimizer", "copro",
                    "--breadth", "3", "--depth", "1", "--trainset", RunCommandTests.path("data/arithmetic_train.jsonl"),
                    "--lm", "dspex-sim", "--base-url", task.baseURL, "--reflection-lm", "reflector",
                    "--reflection-base-url", reflection.baseURL, "--store", store, "--run", "copro",
                ])
                #expect(copro.status == 0, "\(copro.stderr)")
                #expect(reflection.stats().requests == 2)
                #expect(reflection.recentRequests().allSatisfy { $0.userMessage.contains("basic_instruction") })
                #expect(!task.recentRequests().contains { $0.userMessage.contains("basic_instruction") })
                #expect(task.stats().requests > tasks)
            }
        }
    }

    @Test("dspex compile --optimizer gepa reflects with the --reflection-lm and writes the better instruction")
    func gepaCompile() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let store = EvalResumeTests.temporaryStore()
        try await withSimulatedLM { _, task in
            try await withSimulatedLM { _, reflection in
                let compiled = try await CLIProcess.run([
                    "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--optimizer", "gepa",
                    "--auto", "light", "--trainset", RunCommandTests.path("data/arithmetic_train.jsonl"),
                    "--valset", RunCommandTests.path("data/arithmetic_dev.jsonl"), "--out", out.path,
                    "--lm", "dspex-sim", "--base-url", task.baseURL, "--reflection-lm", "reflector",
                    "--reflection-base-url", reflection.baseURL, "--store", store, "--run", "gepa",
                ])
                #expect(compiled.status == 0, "\(compiled.stderr)")
                #expect((compiled.stdout + compiled.stderr).contains(" metric calls"), "\(compiled.stderr)")
                #expect(compiled.stderr.contains(" candidates · "), "\(compiled.stderr)")
                #expect(reflection.stats().requests > 0)
                #expect(!task.recentRequests().contains { $0.userMessage.contains("current_instruction") })
                let program = try Value(json: String(contentsOf: out, encoding: .utf8))
                let instructions = program["solve"]?["signature"]?["instructions"]?.stringValue ?? ""
                #expect(instructions != "Given the fields `question`, produce the fields `answer`.", "\(instructions)")
                let state = try #require(try SQLiteStore(path: store).run(named: "gepa"))
                #expect(state.status == RunRecord.Status.completed)
            }
        }
    }

    @Test("--reflection-prompt gepa asks with gepa's template; --no-merge merges nothing; a bad value is refused")
    func gepaTemplateFromCLI() async throws {
        let store = EvalResumeTests.temporaryStore()
        try await withSimulatedLM { _, server in
            let compiled = try await CLIProcess.run([
                "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--optimizer", "gepa",
                "--max-metric-calls", "300", "--reflection-prompt", "gepa", "--no-merge", "--trainset",
                RunCommandTests.path("data/arithmetic_train.jsonl"), "--lm", "dspex-sim", "--base-url",
                server.baseURL, "--store", store, "--run", "template",
            ])
            #expect(compiled.status == 0, "\(compiled.stderr)")
            let requests = server.recentRequests()
            #expect(requests.contains { $0.userMessage.contains("Provide the new instructions within ``` blocks.") })
            #expect(!requests.contains { $0.userMessage.contains("current_instruction") })
            let stored = try SQLiteStore(path: store)
            let report = try await #require(try RunReport.named("template", in: stored).gepa(in: stored))
            #expect(report.history.allSatisfy { $0.kind == "reflective" })
            #expect(report.candidates.count > 1)
        }
        let refused = try await CLIProcess.run([
            "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--optimizer", "gepa",
            "--reflection-prompt", "markdown", "--trainset", RunCommandTests.path("data/arithmetic_train.jsonl"),
        ])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--reflection-prompt must be dspy or gepa"), "\(refused.stderr)")
    }
}
