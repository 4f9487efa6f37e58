import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

@Suite(.timeLimit(.minutes(3)))
struct KNNFewShotTests {
    /// "What is A + B?" → A + B, from the last user message: a language model that always adds correctly.
    static func adder() -> ScriptedLM {
        ScriptedLM { request in
            let question = request.messages.last?.content ?? ""
            let numbers = question.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int($0) }
            return "[[ ## answer ## ]]\n\(numbers.reduce(0, +))\n\n[[ ## completed ## ]]"
        }
    }

    static func sums(_ pairs: [(Int, Int)]) -> [Example] {
        pairs.map { a, b in
            Example(["question": .string("What is \(a) + \(b)?"), "answer": .int(a + b)]).withInputs("question")
        }
    }

    /// Embeds each question as the point (A, B) scaled to length 1.
    static let pointEmbedder = ScriptedEmbedder { text in
        let numbers = text.split(whereSeparator: { !$0.isNumber }).compactMap { Float($0) }
        guard numbers.count == 2 else { return [0, 0] }
        let length = (numbers[0] * numbers[0] + numbers[1] * numbers[1]).squareRoot()
        return [numbers[0] / length, numbers[1] / length]
    }

    @Test("each call bootstraps on the k nearest examples: the student answers with k demos of them, nearest first")
    func kDemosPerInput() async throws {
        let lm = Self.adder()
        let trainset = Self.sums([(1, 9), (9, 1), (5, 5), (6, 4), (2, 8), (8, 2)])
        let program = try KNNFewShot(k: 3, trainset: trainset, embedder: Self.pointEmbedder)
            .compile(try Predict("question -> answer: int", lm: lm))
        let prediction = try await program(["question": "What is 70 + 30?"])
        #expect(prediction["answer"] == 100)
        // Three teacher runs (each with the other two neighbours as demos), then the student's call.
        #expect(lm.requests.count == 4)
        #expect(prediction.usage.lmCalls == 4)
        let messages = try #require(lm.requests.last?.messages)
        #expect(messages.count == 8)  // system, 3 demo pairs, the question
        let shown = stride(from: 1, to: 7, by: 2).map { messages[$0].content }
        // The nearest to (0.92, 0.39) are (8, 2) at 0.987, (6, 4) at 0.983 and (9, 1) at 0.957.
        for (demo, question) in zip(shown, ["What is 8 + 2?", "What is 6 + 4?", "What is 9 + 1?"]) {
            #expect(demo.contains(question), "\(demo)")
        }
        for teacher in lm.requests.dropLast() { #expect(teacher.messages.count == 6) }
    }

    @Test("another input gets other demos; the program's own state has none, as in DSPy")
    func demosAreNotState() async throws {
        let lm = Self.adder()
        let trainset = Self.sums([(1, 9), (9, 1), (5, 5), (2, 8)])
        var student = try Predict("question -> answer: int", lm: lm)
        student.demos = Self.sums([(100, 100)])
        var program = try KNNFewShot(k: 1, trainset: trainset, embedder: Self.pointEmbedder, maxBootstrappedDemos: 1)
            .compile(student)
        #expect(program.namedPredictors.map(\.name) == ["self"])
        #expect(program.namedPredictors.first?.state.demos == [])
        #expect(program.savedState()["demos"] == .array([]))
        var cleared = student
        cleared.demos = []
        #expect(program.savedState() == cleared.savedState())

        var state = try #require(program.namedPredictors.first?.state)
        state.signature.instructions = "Add the two numbers."
        try program.setPredictorState(state, named: "self")
        _ = try await program(["question": "What is 10 + 90?"])
        let first = try #require(lm.requests.last?.messages)
        #expect(first[0].content.contains("Add the two numbers."))
        #expect(first[1].content.contains("What is 1 + 9?"))
        _ = try await program(["question": "What is 90 + 10?"])
        #expect(lm.requests.last?.messages[1].content.contains("What is 9 + 1?") == true)
        #expect(program.namedPredictors.first?.state.demos == [])
    }

    @Test("a metric rejects wrong teacher answers: labeled neighbours take their place")
    func metricFiltersDemos() async throws {
        let lm = ScriptedLM { _ in "[[ ## answer ## ]]\n0\n\n[[ ## completed ## ]]" }
        let trainset = Self.sums([(1, 9), (9, 1), (5, 5)])
        let program = try KNNFewShot(k: 2, trainset: trainset, embedder: Self.pointEmbedder, metric: .exactMatch())
            .compile(try Predict("question -> answer: int", lm: lm))
        _ = try await program(["question": "What is 3 + 3?"])
        let messages = try #require(lm.requests.last?.messages)
        #expect(messages.count == 6)  // system, 2 demo pairs, the question
        // Labeled demos carry the true answers, never the teacher's 0.
        #expect(messages[2].content.contains("10") && messages[4].content.contains("10"))
    }

    @Test("on the arithmetic task against the simulator, KNN demos beat zero-shot; the trainset is embedded once")
    func endToEnd() async throws {
        let trainset = try await OptimizerTests.load("arithmetic_train.jsonl", limit: 200)
        let devset = try await OptimizerTests.load("arithmetic_dev.jsonl", limit: 40)
        try await withSimulatedLM { lm, server in
            let embedder = OpenAICompatibleEmbedder(.init(model: "sim-embed", connection: lm.configuration))
            let student = try Predict("question -> answer: int", lm: lm)
            let evaluate = Evaluate(devset: devset, metric: .exactMatch())
            let zeroShot = try await evaluate(student).score
            let program = try KNNFewShot(k: 3, trainset: trainset, embedder: embedder, metric: .exactMatch())
                .compile(student)
            let withNeighbours = try await evaluate(program, concurrency: 16)
            #expect(withNeighbours.errors == 0)
            #expect(withNeighbours.score > zeroShot + 0.15, "zero-shot \(zeroShot), KNN \(withNeighbours.score)")
            #expect(server.stats().byPath["/v1/embeddings"] == 1 + devset.count)
            // Neighbours are meaningful: the nearest sum to 519 + 29 is the one of a 5xx and a 2x number.
            let nearest = try await KNN(k: 1, trainset: trainset, embedder: embedder)(["question": "What is 519 + 29?"])
            #expect(nearest.first?["question"] == "What is 533 + 25?")
            try await embedder.shutdown()
        }
    }
}
