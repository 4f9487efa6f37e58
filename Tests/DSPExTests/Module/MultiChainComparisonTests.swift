import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// DSPy's MultiChainComparison: the attempt fields, the attempt texts and the prompt compared with
/// `multi_chain_comparison.json`, made by DSPy 3.4.1 (`scripts/golden/make_fixtures.py`).
@Suite struct MultiChainComparisonTests {
    static let reply = "[[ ## rationale ## ]]\nBoth 5s agree.\n\n[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"

    /// Ordered `[[key, value], …]` pairs as a dictionary.
    static func pairs(_ value: Value?) -> OrderedDictionary<String, Value> {
        var result = OrderedDictionary<String, Value>()
        for pair in value?.arrayValue ?? [] {
            if let key = pair[0]?.stringValue, let element = pair[1] { result[key] = element }
        }
        return result
    }

    static func messages(_ value: Value?) -> [ChatMessage] {
        (value?.arrayValue ?? []).map {
            ChatMessage(role: $0["role"]?.stringValue ?? "", content: $0["content"]?.stringValue ?? "")
        }
    }

    static func completions(_ fixture: Value) -> [OrderedDictionary<String, Value>] {
        (fixture["completions"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    @Test("the inner predictor's fields, instructions and temperature are DSPy's", .tags(.golden))
    func fieldsMatch() throws {
        let fixture = try Fixtures.load("multi_chain_comparison.json")
        let module = try MultiChainComparison(
            try #require(fixture["signature"]?.stringValue), M: try #require(fixture["M"]?.intValue))
        let signature = module.predict.signature
        var rows: [Value] = []
        for (role, fields) in [("input", signature.inputs), ("output", signature.outputs)] {
            for field in fields {
                rows.append([
                    "name": .string(field.name), "role": .string(role),
                    "annotation": .string(FieldFormatting.annotationName(field.type)),
                    "prefix": .string(field.prefix), "description": .string(field.descriptionOrPlaceholder),
                ])
            }
        }
        #expect(Value.array(rows) == fixture["predict_fields"])
        #expect(signature.instructions == fixture["predict_instructions"]?.stringValue)
        #expect(module.predict.options.temperature == fixture["temperature"]?.doubleValue)
        #expect(module.lastKey == "answer")
        #expect(module.namedPredictors.map(\.name) == ["predict"])
    }

    @Test("attempts and the prompt sent match DSPy's byte for byte", .tags(.golden))
    func promptMatches() async throws {
        let fixture = try Fixtures.load("multi_chain_comparison.json")
        let lm = ScriptedLM(replies: [Self.reply])
        let module = try MultiChainComparison(try #require(fixture["signature"]?.stringValue), lm: lm)
        let completions = Self.completions(fixture)
        #expect(try module.attempts(completions).map(Value.string) == fixture["attempt_inputs"]?.arrayValue)

        let (prediction, trace) = try await withTrace {
            try await module(completions: completions, inputs: Self.pairs(fixture["inputs"]))
        }
        #expect(Array(prediction.outputs.keys) == ["rationale", "answer"])
        #expect(prediction["answer"] == "5")
        let request = try #require(lm.requests.first)
        let expected = Self.messages(fixture["messages"])
        #expect(request.messages.count == expected.count)
        for (mine, theirs) in zip(request.messages, expected) {
            #expect(mine.role == theirs.role)
            #expect(mine.content == theirs.content)
        }
        #expect(request.temperature == 0.7)
        // The predictor's inputs in DSPy's order: the attempts, then the caller's inputs.
        let entry = try #require(trace.first)
        #expect(entry.predictor == "predict")
        #expect(Array(entry.inputs.keys) == Array(Self.pairs(fixture["predict_inputs"]).keys))
        #expect(entry.inputs == Self.pairs(fixture["predict_inputs"]))
    }

    @Test("as a pipeline stage it takes the attempts from the input 'completions'", .tags(.golden))
    func completionsInput() async throws {
        let fixture = try Fixtures.load("multi_chain_comparison.json")
        let lm = ScriptedLM(replies: [Self.reply])
        let module = try MultiChainComparison("question -> answer", lm: lm)
        var inputs: OrderedDictionary<String, Value> = [
            "completions": .array(Self.completions(fixture).map(Value.object))
        ]
        for (name, value) in Self.pairs(fixture["inputs"]) { inputs[name] = value }
        _ = try await module(inputs)
        let request = try #require(lm.requests.first)
        #expect(request.messages == Self.messages(fixture["messages"]))
        #expect(request.messages.allSatisfy { !$0.content.contains("completions") })
    }

    @Test("a wrong number of completions, a missing rationale or answer, or no 'completions' input is an error")
    func invalidCompletions() async throws {
        let lm = ScriptedLM(replies: [Self.reply])
        let module = try MultiChainComparison("question -> answer", M: 2, lm: lm)
        let one: OrderedDictionary<String, Value> = ["reasoning": "r", "answer": "5"]
        let error = await #expect(throws: ModuleError.self) {
            _ = try await module(completions: [one], inputs: ["question": "q"])
        }
        #expect(error?.code == .invalidCompletions)
        #expect(error?.message.contains("The number of attempts (1) doesn't match the expected number M (2).") == true)
        let noRationale: OrderedDictionary<String, Value> = ["answer": "5"]
        let missing = await #expect(throws: ModuleError.self) {
            _ = try await module(completions: [one, noRationale], inputs: ["question": "q"])
        }
        #expect(missing?.code == .invalidCompletions)
        let noAnswer: OrderedDictionary<String, Value> = ["reasoning": "r"]
        await #expect(throws: ModuleError.self) {
            _ = try await module(completions: [one, noAnswer], inputs: ["question": "q"])
        }
        let noInput = await #expect(throws: ModuleError.self) { _ = try await module(["question": "q"]) }
        #expect(noInput?.code == .invalidCompletions)
        await #expect(throws: ModuleError.self) {
            _ = try await module(["question": "q", "completions": ["not an object", "x"]])
        }
        #expect(lm.requests.isEmpty)
    }

    @Test("rationale is preferred to reasoning; non-text answers read as Python's str; predictions work too")
    func attemptText() async throws {
        let module = try MultiChainComparison("question -> answer: int, confident: bool", M: 2)
        let attempts = try module.attempts([
            ["rationale": "first\r\nsecond", "reasoning": "ignored", "answer": 4, "confident": true],
            ["reasoning": "  only line  ", "confident": false],
        ])
        #expect(
            attempts == [
                "«I'm trying to first I'm not sure but my prediction is True»",
                "«I'm trying to only line I'm not sure but my prediction is False»",
            ])
        #expect(module.lastKey == "confident")

        let lm = ScriptedLM(replies: [
            "[[ ## rationale ## ]]\nr\n\n[[ ## answer ## ]]\n5\n\n[[ ## confident ## ]]\nTrue\n\n[[ ## completed ## ]]"
        ])
        let sampled = [
            Prediction(["reasoning": "a", "answer": 5, "confident": true]),
            Prediction(["reasoning": "b", "answer": 6, "confident": false]),
        ]
        let prediction = try await withLM(lm) { try await module(completions: sampled, inputs: ["question": "q"]) }
        #expect(prediction["confident"] == true)
        let user = try #require(lm.requests.first?.messages.last?.content)
        let second = "«I'm trying to b I'm not sure but my prediction is False»"
        #expect(user.contains("[[ ## reasoning_attempt_2 ## ]]\n\(second)"))
    }
}
