import DSPEx
import DSPExTesting
import Testing

/// Answer questions with short factoid answers.
@Signature
struct FactoidQA {
    @Input var question: String
    @Input("Relevant passages", prefix: "Context:") var context: [String]
    @Output("often between 1 and 5 words") var answer: String
    @Output var confidence: Double?
}

/// The sentiments a review can have.
enum Sentiment: String, CaseIterable, ValueConvertible {
    case positive, negative, neutral
}

@Signature("Classify the review.")
struct Classify {
    @Input var review: String
    @Output var sentiment: Sentiment
    @Output var score: Int
}

@Suite struct TypedSignatureTests {
    @Test("the macro builds the signature from properties and the doc comment")
    func signatureFromStruct() {
        let signature = FactoidQA.signature
        #expect(signature.inputNames == ["question", "context"])
        #expect(signature.outputNames == ["answer", "confidence"])
        #expect(signature.instructions == "Answer questions with short factoid answers.")
        #expect(signature.inputs[1].type == .list(.string))
        #expect(signature.inputs[1].description == "Relevant passages")
        #expect(signature.inputs[1].prefix == "Context:")
        #expect(signature.outputs[1].type == .optional(.double))
        #expect(Classify.signature.outputs[0].type == .literal(["positive", "negative", "neutral"]))
        #expect(Classify.signature.instructions == "Classify the review.")
    }

    @Test("Predict<S> takes typed inputs and returns typed outputs")
    func typedPredict() async throws {
        let lm = ScriptedLM(replies: [
            "[[ ## answer ## ]]\nParis\n\n[[ ## confidence ## ]]\n0.9\n\n[[ ## completed ## ]]"
        ])
        let result = try await Predict<FactoidQA>(lm: lm)(.init(question: "Capital of France?", context: ["a", "b"]))
        #expect(result.answer == "Paris")
        #expect(result.confidence == 0.9)
        #expect(result.question == "Capital of France?")
        let system = try #require(lm.requests.first?.messages.first?.content)
        #expect(system.contains("1. `question` (str):"))
        #expect(system.contains("2. `context` (list[str]): Relevant passages"))
    }

    @Test("typed ChainOfThought and Literal enums decode against the simulator")
    func typedChainOfThoughtOverHTTP() async throws {
        try await withSimulatedLM { lm, _ in
            let result = try await ChainOfThought<Classify>(lm: lm)(.init(review: "Great phone, love it."))
            #expect(Sentiment.allCases.contains(result.sentiment))
        }
    }

    @Test("a reply that does not fit the Swift type is an error naming the field")
    func typedMismatch() async throws {
        let lm = ScriptedLM(replies: [
            "[[ ## sentiment ## ]]\nhappy\n\n[[ ## score ## ]]\n3", #"{"sentiment": "happy", "score": 3}"#,
        ])
        await #expect(throws: AdapterError.self) { _ = try await Predict<Classify>(lm: lm)(.init(review: "x")) }
    }
}
