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
            #expect(try Store(path: store).run(named: "boot")?.status == RunRecord.Status.completed)
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
}
