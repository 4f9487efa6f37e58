import DSPEx
import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@Suite(.timeLimit(.minutes(3)))
struct EvaluateTests {
    /// "What is A + B?" devset of `count` examples.
    static func devset(_ count: Int) -> [Example] {
        (0..<count).map { index in
            Example(
                ["question": .string("What is \(index) + 1?"), "answer": .int(index + 1)], inputKeys: ["question"],
                id: "ex\(index)")
        }
    }

    /// Answers correctly for even A, wrongly for odd A.
    static func halfRightLM() -> ScriptedLM {
        ScriptedLM { request in
            let user = request.messages.last?.content ?? ""
            let number =
                Int(user.components(separatedBy: "What is ").last?.components(separatedBy: " +").first ?? "") ?? 0
            let answer = number % 2 == 0 ? number + 1 : number + 2
            return "[[ ## answer ## ]]\n\(answer)\n\n[[ ## completed ## ]]"
        }
    }

    static func run(_ name: String, resume: Bool = false) -> Evaluate.Run {
        Evaluate.Run(
            name: name, pipeline: "test", programHash: "p1", datasetHash: "d1", config: ["metric": "em"], resume: resume
        )
    }

    static func graph(_ lm: any LanguageModel) throws -> Graph {
        try additionGraph(lm)
    }

    @Test("Evaluate(devset:metric:) scores a module like DSPy's Evaluate")
    func dspyShape() async throws {
        let lm = Self.halfRightLM()
        let evaluate = Evaluate(devset: Self.devset(40), metric: .exactMatch())
        let result = try await evaluate(try Predict("question -> answer: int", lm: lm))
        #expect(result.examples == 40)
        #expect(result.score == 0.5)
        #expect(result.percentage == 50)
        #expect(result.lmCalls == 40)
        #expect(result.stageLatency["program"] != nil)
    }

    @Test("failed examples count as errors and score 0")
    func failuresScoreZero() async throws {
        let lm = ScriptedLM { request in
            let user = request.messages.last?.content ?? ""
            if user.contains("What is 3 + 1?") { return "garbage" }
            let number =
                Int(user.components(separatedBy: "What is ").last?.components(separatedBy: " +").first ?? "") ?? 0
            return "[[ ## answer ## ]]\n\(number + 1)\n\n[[ ## completed ## ]]"
        }
        let result = try await Evaluate(devset: Self.devset(5), metric: .exactMatch())(
            try Predict("question -> answer: int", lm: lm))
        #expect(result.examples == 5)
        #expect(result.errors == 1)
        #expect(result.score == 0.8)
        // The failed example's calls (ChatAdapter's and its JSON fallback's) were made, so they are counted.
        #expect(result.lmCalls == lm.requests.count)
        #expect(result.lmCalls == 4 + 2)
    }

    @Test("results are stored and a resumed run skips them and reports the whole run")
    func storeAndResume() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let lm = Self.halfRightLM()
        let evaluate = Evaluate(metric: .exactMatch(), store: store)
        let first = try await evaluate.evaluate(
            try Self.graph(lm), on: ExampleList(Self.devset(10)), run: Self.run("r"))
        #expect(first.examples == 10)
        #expect(lm.requests.count == 10)
        let resumed = try await evaluate.evaluate(
            try Self.graph(lm), on: ExampleList(Self.devset(30)), run: Self.run("r", resume: true))
        #expect(resumed.resumedExamples == 10)
        #expect(resumed.examples == 30)
        #expect(resumed.score == 0.5)
        #expect(lm.requests.count == 30)
        let id = try #require(try store.run(named: "r")?.id)
        #expect(try store.resultCount(runID: id) == 30)
        #expect(try store.run(named: "r")?.status == "completed")
    }

    @Test("an existing run name, an unknown run and a changed program are refused")
    func refusals() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let evaluate = Evaluate(metric: .exactMatch(), store: store)
        let graph = try Self.graph(Self.halfRightLM())
        _ = try await evaluate.evaluate(graph, on: ExampleList(Self.devset(3)), run: Self.run("x"))
        await #expect(throws: EvaluateError.self) {
            try await evaluate.evaluate(graph, on: ExampleList(Self.devset(3)), run: Self.run("x"))
        }
        await #expect(throws: EvaluateError.self) {
            try await evaluate.evaluate(graph, on: ExampleList(Self.devset(3)), run: Self.run("nope", resume: true))
        }
        var changed = Self.run("x", resume: true)
        changed.programHash = "p2"
        do {
            _ = try await evaluate.evaluate(graph, on: ExampleList(Self.devset(3)), run: changed)
            Issue.record("should be refused")
        } catch let error as EvaluateError {
            #expect(error.code == .mismatch)
            #expect(error.message.contains("pipeline changed"))
        }
    }

    @Test("a budget stops the run with nothing half-recorded, and the resume completes it")
    func budget() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let lm = Self.halfRightLM()
        let budgeted = Evaluate(metric: .exactMatch(), store: store, configuration: .init(budget: .init(maxCalls: 7)))
        let stopped = try await budgeted.evaluate(
            try Self.graph(lm), on: ExampleList(Self.devset(20)), run: Self.run("b"))
        #expect(stopped.stopReason == .budgetExhausted)
        #expect(stopped.examples <= 7)
        #expect(stopped.errors == 0)
        #expect(try store.run(named: "b")?.status == "stopped")
        let finished = try await Evaluate(metric: .exactMatch(), store: store).evaluate(
            try Self.graph(lm), on: ExampleList(Self.devset(20)), run: Self.run("b", resume: true))
        #expect(finished.examples == 20)
        #expect(finished.stopReason == nil)
        #expect(finished.score == 0.5)
    }
}
