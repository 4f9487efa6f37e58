import DSPEx
import DSPExTesting
import Foundation
import OrderedCollections
import Testing

/// What an evaluation keeps of each stage of each example: inputs, outputs, the exact LM calls, fallbacks, errors.
@Suite(.timeLimit(.minutes(3)))
struct StageRecordTests {
    static let answer5 = "[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"

    /// Replies `garbage` (which neither ChatAdapter nor its JSON fallback can parse) to example 2, `5` otherwise.
    static func lm() -> ScriptedLM {
        ScriptedLM { request in
            (request.messages.last?.content ?? "").contains("What is 2 + 1?") ? "garbage <script>x</script>" : answer5
        }
    }

    static func evaluate(
        _ lm: ScriptedLM, keep: KeepPrompts = .all, count: Int = 5, store: SQLiteStore, name: String = "r"
    ) async throws -> Int64 {
        let evaluate = Evaluate(metric: .exactMatch(), store: store, configuration: .init(keepPrompts: keep))
        _ = try await evaluate.evaluate(
            try EvaluateTests.graph(lm), on: ExampleList(EvaluateTests.devset(count)), run: EvaluateTests.run(name))
        return try #require(try store.run(named: name)?.id)
    }

    @Test("each example keeps its stage's inputs, outputs, and the exact messages sent with the raw reply")
    func keepsCalls() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let lm = Self.lm()
        let runID = try await Self.evaluate(lm, store: store)
        #expect(try store.stageCount(runID: runID) == 5)
        let stages = try store.stages(runID: runID, exampleID: "ex4")
        let stage = try #require(stages.first)
        #expect(stages.count == 1)
        #expect(stage.stage == "solve")
        #expect(try Value(json: stage.inputs) == ["question": "What is 4 + 1?"])
        #expect(try Value(json: stage.outputs) == ["answer": 5])
        #expect(stage.callCount == 1)
        #expect(stage.error == nil && stage.fallback == nil)
        let report = try await #require(try RunReport.named("r", in: store).stages(ofExample: "ex4", in: store).first)
        let call = try #require(report.calls.first)
        let sent = try #require(lm.requests.first { $0.messages.last?.content.contains("What is 4 + 1?") == true })
        #expect(call.messages.map(\.role) == sent.messages.map(\.role))
        #expect(call.messages.map(\.content) == sent.messages.map(\.content))
        #expect(call.model == "scripted")
        #expect(call.replies == [Self.answer5])
        #expect(!call.cached)
    }

    @Test("a failed example keeps both adapters' calls, the fallback, and the error with its raw reply")
    func keepsFailure() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try await Self.evaluate(Self.lm(), store: store)
        let stage = try #require(try store.stages(runID: runID, exampleID: "ex2").first)
        #expect(stage.callCount == 2)
        #expect(stage.fallback?.hasPrefix("ChatAdapter → JSONAdapter") == true)
        #expect(stage.error?.contains("JSONAdapter") == true)
        #expect(stage.rawReply == "garbage <script>x</script>")
        #expect(try Value(json: stage.outputs) == [:])
        let result = try #require(try store.result(runID: runID, exampleID: "ex2"))
        #expect(result.errorKind?.hasPrefix("adapter:") == true)
        let report = try await RunReport.named("r", in: store)
        let calls = try await report.stages(ofExample: "ex2", in: store).flatMap(\.calls)
        #expect(calls.map(\.replies) == [["garbage <script>x</script>"], ["garbage <script>x</script>"]])
        // The JSON fallback asked for a JSON object.
        #expect(calls.last?.messages.first?.content.contains("JSON") == true)
    }

    @Test("keepPrompts failed keeps only failed or wrong examples, none keeps nothing")
    func keepPolicy() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        // The answer 5 is right only for example 4 (4 + 1); example 2 fails.
        let failed = try await Self.evaluate(Self.lm(), keep: .failed, store: store, name: "failed")
        #expect(try store.stages(runID: failed, exampleID: "ex4").isEmpty)
        #expect(try store.stages(runID: failed, exampleID: "ex2").count == 1)
        #expect(try store.stageCount(runID: failed) == 4)
        let none = try await Self.evaluate(Self.lm(), keep: .none, store: store, name: "none")
        #expect(try store.stageCount(runID: none) == 0)
        #expect(try store.resultCount(runID: none) == 5)
    }

    @Test("a message or reply longer than the kept-text limit is cut there, with a note of what was left out")
    func textLimit() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let huge = String(repeating: "x", count: 100_000)
        let evaluate = Evaluate(
            metric: .exactMatch(), store: store, configuration: .init(keepPrompts: .all, keptTextLimit: 1000))
        _ = try await evaluate.evaluate(
            try EvaluateTests.graph(ScriptedLM(replies: [huge])), on: ExampleList(EvaluateTests.devset(1)),
            run: EvaluateTests.run("r"))
        let id = try #require(try store.run(named: "r")?.id)
        let stage = try #require(try store.stages(runID: id, exampleID: "ex0").first)
        let note = "… [99000 more characters not kept]"
        #expect(stage.rawReply == String(repeating: "x", count: 1000) + note)
        let calls = try await RunReport.named("r", in: store).stages(ofExample: "ex0", in: store).flatMap(\.calls)
        #expect(calls.count == 2 && calls.allSatisfy { $0.replies == [String(repeating: "x", count: 1000) + note] })
        #expect(calls.first?.messages.last?.content.contains("What is 0 + 1?") == true)  // short texts are whole
        #expect(stage.calls.utf8.count < 10_000)
    }

    @Test("a call's stored JSON written directly is its stored value, cut or not")
    func storedJSON() throws {
        let request = LMRequest(
            model: "m",
            messages: [.init(role: "system", content: "be \"brief\"\n"), .init(role: "user", content: "hi ✓")],
            temperature: 0.7, maxTokens: 99, stop: ["\n\n"])
        let call = LMCallLog.Call(
            request: request, replies: ["[[ ## answer ## ]]\n5", "<b>"], toolCalls: [["name": "add"]], cached: true,
            error: "boom", latency: .milliseconds(12.5))
        for limit in [65_536, 3] {
            #expect(try Value(json: call.storedJSON(textLimit: limit)) == call.storedValue(textLimit: limit))
        }
    }

    @Test("history shows each call's messages by role, then the response, like inspect_history")
    func history() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        _ = try await Self.evaluate(Self.lm(), store: store)
        let report = try await RunReport.named("r", in: store)
        let text = await StageReport.history(try report.stages(ofExample: "ex2", in: store))
        #expect(text.contains("=== example ex2 · stage solve · call 1 of 2 · scripted ==="))
        #expect(text.contains("System message:"))
        #expect(text.contains("User message:"))
        #expect(text.contains("Response:\n\ngarbage <script>x</script>\n"))
        #expect(text.contains("Adapter fallback: ChatAdapter → JSONAdapter"))
        #expect(text.contains("Stage error:"))
        let last = await StageReport.history(try report.lastStages(examples: 2, in: store), lastCalls: 1)
        #expect(last.contains("example ex4") && !last.contains("example ex3"))
        #expect(!text.contains("\u{1B}["))
        await #expect(throws: EvaluateError.self) { try await report.stages(ofExample: "nope", in: store) }
    }

    @Test("the stage records of a resumed run's new examples are kept with the old ones")
    func resumeKeepsPlan() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let lm = Self.lm()
        let evaluate = Evaluate(metric: .exactMatch(), store: store, configuration: .init(keepPrompts: .all))
        _ = try await evaluate.evaluate(
            try EvaluateTests.graph(lm), on: ExampleList(EvaluateTests.devset(3)), run: EvaluateTests.run("r"))
        _ = try await evaluate.evaluate(
            try EvaluateTests.graph(lm), on: ExampleList(EvaluateTests.devset(6)),
            run: EvaluateTests.run("r", resume: true))
        let id = try #require(try store.run(named: "r")?.id)
        #expect(try store.stageCount(runID: id) == 6)
    }
}
