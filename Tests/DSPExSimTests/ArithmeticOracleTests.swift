import Foundation
import Testing

import struct DSPEx.SeededGenerator

@testable import DSPExSim

@Suite(.timeLimit(.minutes(3)))
struct ArithmeticOracleTests {
    @Test(
        "the probability of a correct answer is min(0.5 + 0.1 × demos + hint bonus, 0.95)",
        arguments: [
            (0, "", 0.5), (1, "", 0.6), (4, "", 0.9), (5, "", 0.95), (9, "", 0.95), (-2, "", 0.5),
            (0, "Think step by step.", 0.6), (2, "Check your sum carefully.", 0.8),
            (3, "Please DOUBLE-CHECK the result.", 0.9), (4, "step by step, carefully", 0.95),
            (2, "Given the fields `question`, produce the fields `answer`.", 0.7),
        ])
    func probability(demos: Int, instructions: String, expected: Double) {
        let probability = ArithmeticOracle.probabilityCorrect(demoCount: demos, instructions: instructions)
        #expect(abs(probability - expected) < 1e-9)
    }

    @Test("correct worked additions in the instructions count as demos, each distinct one once")
    func workedExamples() {
        #expect(ArithmeticOracle.workedExampleCount(in: "For example, 12 + 30 = 42 and 1 + 1 = 3.") == 1)
        #expect(ArithmeticOracle.workedExampleCount(in: "12 + 30 = 42. Again: 12+30=42. And -5 + 2 = -3.") == 2)
        #expect(ArithmeticOracle.workedExampleCount(in: "Add the numbers.") == 0)
        let instructions = "Work carefully. For example, 2 + 2 = 4. For example, 10 + 5 = 15."
        #expect(abs(ArithmeticOracle.probabilityCorrect(demoCount: 1, instructions: instructions) - 0.9) < 1e-9)
    }

    @Test("hint phrases are found case-insensitively")
    func hints() {
        #expect(ArithmeticOracle.containsHint("Let's think Step By Step"))
        #expect(ArithmeticOracle.containsHint("double-check everything"))
        #expect(ArithmeticOracle.containsHint("Read CAREFULLY"))
        #expect(!ArithmeticOracle.containsHint("Answer the question."))
    }

    @Test("answers are the sum at probability 1 and off by a nonzero offset in -3...3 at probability 0")
    func answerRule() {
        var random = SeededGenerator(state: 99)
        var offsets = Set<Int>()
        for _ in 0..<500 {
            let bits = random.next()
            #expect(ArithmeticOracle.answer(a: 20, b: -5, probability: 1, decisionBits: bits) == 15)
            let wrong = ArithmeticOracle.answer(a: 20, b: -5, probability: 0, decisionBits: bits)
            offsets.insert(wrong - 15)
        }
        #expect(offsets == [-3, -2, -1, 1, 2, 3])
    }

    @Test(
        "measured accuracy over 400 distinct prompts follows the rule",
        arguments: [(0, nil as String?), (4, nil), (0, "Think step by step, then answer.")])
    func measuredAccuracy(demos: Int, instructions: String?) async throws {
        var prompt = DSPyPrompt.arithmetic(reasoning: true, instructions: instructions)
        prompt.addArithmeticDemos(demos)
        let expected = ArithmeticOracle.probabilityCorrect(demoCount: demos, instructions: instructions ?? "")
        let problems = (0..<400).map { index in (a: index * 37 % 1000 - 300, b: index * 91 % 500) }
        let correct = try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            var correct = 0
            for problem in problems {
                let reply = try await connection.chat(prompt.body(for: ["What is \(problem.a) + \(problem.b)?"]))
                let sections = chatSections(try reply.decode(ChatCompletionReply.self).content)
                if Int(sections.first { $0.name == "answer" }?.value ?? "") == problem.a + problem.b {
                    correct += 1
                }
            }
            await connection.close()
            return correct
        }
        let accuracy = Double(correct) / Double(problems.count)
        #expect(abs(accuracy - expected) < 0.08, "accuracy \(accuracy) with \(demos) demos, expected \(expected)")
    }

    @Test("demos are counted from assistant messages before the final user message")
    func demoCount() throws {
        var prompt = DSPyPrompt.arithmetic()
        prompt.addArithmeticDemos(3)
        let body = prompt.body(for: ["What is 1 + 1?"])
        let request = try ChatCompletionRequest(json: try JSONParser.parse(body))
        let analysis = PromptAnalysis(request: request, schemas: PromptSchemaCache())
        #expect(analysis.demoCount == 3)
        #expect(analysis.arithmetic == ArithmeticProblem(a: 1, b: 1))
        #expect(abs(analysis.probabilityCorrect - 0.8) < 1e-9)
    }

    @Test("the question is found with negative operands and extra spaces, and ignored otherwise")
    func problemParsing() {
        #expect(ArithmeticProblem(in: PromptText("[[ ## question ## ]]\nWhat is -12 + -30?")) == .init(a: -12, b: -30))
        #expect(ArithmeticProblem(in: PromptText("What is 5  +  6 ?")) == .init(a: 5, b: 6))
        #expect(ArithmeticProblem(in: PromptText("What is 7 * 6?")) == nil)
        #expect(ArithmeticProblem(in: PromptText("What is the capital of France?")) == nil)
    }
}
