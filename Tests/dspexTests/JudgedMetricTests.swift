import DSPEx
import DSPExTesting
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)), .tags(.integration))
struct JudgedMetricTests {
    static let judgedPipeline = """
        name: judged
        stages:
          - id: solve
            signature: "question -> answer: int"
            inputs: {question: input.question}
        outputs: {answer: solve.answer}
        metric:
          name: judge
          signature: "question, gold_answer: int, predicted_answer: int -> correct: bool"
          instructions: "Is the predicted answer the gold answer?"
          inputs: {gold_answer: example.answer, predicted_answer: prediction.answer}
        """

    @Test("a pipeline file can name an LM-judged metric, and dspex eval runs the judge per example")
    func judgedMetricFromFile() async throws {
        let file = try RunCommandTests.temporaryFile("judged.yaml", Self.judgedPipeline)
        defer { try? FileManager.default.removeItem(at: file) }
        let spec = try PipelineFile.load(path: file.path)
        #expect(spec.metric?.isJudged == true)
        #expect(spec.metric?.inputs["gold_answer"] == "example.answer")
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let output = try await CLIProcess.run([
                "eval", file.path, "--data", RunCommandTests.path("data/arithmetic_dev.jsonl"), "--limit", "10",
                "--lm", "dspex-sim", "--base-url", server.baseURL, "--store", store, "--run", "j", "--json",
            ])
            #expect(output.status == 0, "\(output.stderr)")
            let result = try Value(json: output.stdout)
            #expect(result["examples"] == 10)
            // One call for the program and one for the judge per example.
            #expect(result["lm_calls"] == 20)
            #expect(server.stats().requests == 20)
        }
    }

    @Test("a judge metric without a signature is a located error")
    func judgeNeedsSignature() throws {
        let text = Self.judgedPipeline.replacingOccurrences(
            of: "  signature: \"question, gold_answer: int, predicted_answer: int -> correct: bool\"\n", with: "")
        do {
            _ = try PipelineFile.parse(text, file: "judged.yaml", environment: [:])
            Issue.record("should fail")
        } catch {
            #expect(error.code == .missingField)
            #expect(error.location.line == 8)
        }
    }
}
