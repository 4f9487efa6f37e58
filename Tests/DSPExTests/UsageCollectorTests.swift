import DSPExTesting
import Testing

@testable import DSPEx

/// Counting model calls made inside a collector (LM-judged metrics, stages): each call once, failed ones too.
@Suite struct UsageCollectorTests {
    /// Answers `[[ ## answer ## ]]` sections to JSON-adapter prompts only, so ChatAdapter's first attempt fails
    /// and its JSON fallback succeeds.
    private static func jsonOnlyLM() -> ScriptedLM {
        ScriptedLM { request in
            let system = request.messages.first?.content ?? ""
            return system.contains("JSON") ? #"{"answer": "4"}"# : "no sections here"
        }
    }

    @Test("a prediction whose ChatAdapter reply falls back to JSON reports both calls once")
    func fallbackCountedOnce() async throws {
        let lm = Self.jsonOnlyLM()
        let predict = try Predict("question -> answer", lm: lm)
        let (prediction, collected) = try await UsageCollector.collect {
            try await predict(["question": "What is 2 + 2?"])
        }
        #expect(prediction["answer"] == "4")
        #expect(lm.requests.count == 2)
        #expect(prediction.usage.lmCalls == 2)
        #expect(collected.lmCalls == 2)
    }

    @Test("a prediction that fails after its calls reports them, and a later success only its own")
    func failureReported() async throws {
        let failing = try Predict("question -> answer", lm: ScriptedLM(replies: ["garbage"]))
        let (_, collected) = await UsageCollector.collect {
            _ = try? await failing(["question": "q"])
            _ = try? await Predict("question -> answer", lm: Self.jsonOnlyLM())(["question": "q"])
        }
        #expect(collected.lmCalls == 2 + 2)
    }
}
