import DSPEx
import DSPExTesting
import OrderedCollections
import Testing

@Suite struct PredictTests {
    @Test("Predict sends DSPy's messages and returns typed outputs")
    func predictReturnsTypedOutputs() async throws {
        let lm = ScriptedLM(replies: ["[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"])
        let predict = try Predict("question -> answer: int", lm: lm)
        let prediction = try await predict(["question": "What is 2 + 3?"])
        #expect(prediction["answer"] == 5)
        #expect(prediction.usage.lmCalls == 1)
        let request = try #require(lm.requests.first)
        #expect(request.messages == predict.messages(for: ["question": "What is 2 + 3?"]))
        #expect(request.messages.last?.content.hasPrefix("[[ ## question ## ]]\nWhat is 2 + 3?") == true)
    }

    @Test("ChainOfThought returns reasoning before the answer")
    func chainOfThought() async throws {
        let lm = ScriptedLM(replies: [
            "[[ ## reasoning ## ]]\n2 + 3 = 5.\n\n[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"
        ])
        let prediction = try await ChainOfThought("question -> answer: int", lm: lm)(["question": "What is 2 + 3?"])
        #expect(Array(prediction.outputs.keys) == ["reasoning", "answer"])
        #expect(prediction["reasoning"] == "2 + 3 = 5.")
    }

    @Test("a reply missing a field falls back to the JSON adapter once")
    func jsonFallback() async throws {
        let lm = ScriptedLM(replies: ["The answer is 5.", #"{"answer": 5}"#])
        let prediction = try await Predict("question -> answer: int", lm: lm)(["question": "What is 2 + 3?"])
        #expect(prediction["answer"] == 5)
        #expect(lm.requests.count == 2)
        #expect(prediction.usage.lmCalls == 2)
        let second = try #require(lm.requests.last)
        #expect(second.responseFormat?["type"] == "json_schema")
        #expect(second.messages[0].content.contains("Outputs will be a JSON object"))
    }

    @Test("when the fallback fails too, the error names the field and keeps the reply")
    func fallbackFailure() async throws {
        let lm = ScriptedLM(replies: ["no idea", "still no idea"])
        do {
            _ = try await Predict("question -> answer", lm: lm)(["question": "?"])
            Issue.record("should fail")
        } catch let error as AdapterError {
            #expect(error.fields == ["answer"])
            #expect(error.rawReply == "still no idea")
        }
        #expect(lm.requests.count == 2)
    }

    @Test("n > 1 returns every completion and raises a low temperature as DSPy does")
    func severalCompletions() async throws {
        let lm = ScriptedLM(replies: ["[[ ## answer ## ]]\nA"])
        let predict = try Predict("question -> answer", lm: lm, options: LMOptions(temperature: 0, n: 3))
        let prediction = try await predict(["question": "?"])
        #expect(prediction.completions.count == 3)
        #expect(lm.requests.first?.temperature == 0.7)
        #expect(lm.requests.first?.n == 3)
    }

    @Test("a missing input is an error naming the field")
    func missingInput() async throws {
        let predict = try Predict("context, question -> answer", lm: ScriptedLM(replies: []))
        await #expect(throws: ModuleError.self) { try await predict(["question": "?"]) }
    }

    @Test("without a language model the error says how to give one")
    func noLanguageModel() async throws {
        let predict = try Predict("question -> answer")
        do {
            _ = try await predict(["question": "?"])
            Issue.record("should fail")
        } catch let error as ModuleError {
            #expect(error.code == .noLanguageModel)
            #expect(error.description.contains("withLM"))
        }
    }

    @Test("withLM sets the default model for modules inside, including child tasks")
    func withLMScope() async throws {
        let lm = ScriptedLM(replies: ["[[ ## answer ## ]]\nok"])
        let predict = try Predict("question -> answer")
        let answers = try await withLM(lm) {
            try await withThrowingTaskGroup(of: Value?.self) { group in
                for index in 0..<4 { group.addTask { try await predict(["question": .int(index)])["answer"] } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(answers == Array(repeating: "ok", count: 4))
        #expect(lm.requests.count == 4)
    }

    @Test("the trace records each predictor call")
    func traceRecordsCalls() async throws {
        let lm = ScriptedLM(replies: ["[[ ## reasoning ## ]]\nr\n\n[[ ## answer ## ]]\na"])
        let cot = try ChainOfThought("question -> answer", lm: lm)
        let (_, trace) = try await withTrace { try await cot(["question": "q"]) }
        #expect(trace.count == 1)
        #expect(trace.first?.predictor == "predict")
        #expect(trace.first?.inputs == ["question": "q"])
        #expect(trace.first?.outputs["answer"] == "a")
    }

    @Test("demos and instructions set through the predictor state reach the prompt")
    func predictorStateReachesPrompt() async throws {
        var predict = try Predict("question -> answer")
        let state = PredictorState(
            signature: predict.signature.with(instructions: "Answer tersely."),
            demos: [Example(["question": "1 + 1?", "answer": "2"])])
        try predict.setPredictorState(state, named: "self")
        let messages = predict.messages(for: ["question": "2 + 2?"])
        #expect(messages.count == 4)
        #expect(messages[0].content.hasSuffix("Answer tersely."))
        #expect(messages[2].content.contains("[[ ## answer ## ]]\n2"))
    }
}
