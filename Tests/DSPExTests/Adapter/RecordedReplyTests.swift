import DSPEx
import DSPExTesting
import Foundation
import OrderedCollections
import Testing

/// Replies recorded from a real model (SmolLM2-135M-Instruct on llama.cpp's server, temperature 0) by
/// `scripts/realmodel/capture_replies.py`: the drifts a small model shows, and how DSPEx reads them.
@Suite struct RecordedReplyTests {
    /// One recorded case from `Fixtures/realmodel/replies.json`.
    struct Recorded {
        var signature: Signature
        var reply: String
        var finishReason: String?
        var request: Value
        /// The error body of a refused request.
        var errorBody: String?

        init(_ id: String) throws {
            let url = Fixtures.folder("realmodel/replies.json")
            let all = try Value(json: String(contentsOf: url, encoding: .utf8)).arrayValue ?? []
            let entry = try #require(all.first { $0["id"]?.stringValue == id }, "no recorded case \(id)")
            signature = try Signature(try #require(entry["signature"]?.stringValue))
            if entry["module"]?.stringValue == "chain_of_thought" {
                signature = signature.prependingOutput(ChainOfThought<DynamicSignature>.reasoningField)
            }
            reply = entry["reply"]?.stringValue ?? ""
            finishReason = entry["finish_reason"]?.stringValue
            request = entry["request"] ?? .null
            errorBody = entry["error_body"]?.stringValue
        }

        /// A scripted model that answers with this reply and its finish reason.
        func model() -> RecordedLM { RecordedLM(replies: [(reply, finishReason)]) }
    }

    @Test("a marker inside a code fence, followed by more fence and prose, still gives the bool")
    func boolInFence() throws {
        let recorded = try Recorded("bool_marker_in_fence")
        #expect(recorded.reply.contains("[[## answer ## ]]\nTrue\n```"))
        let parsed = try ChatAdapter().parse(recorded.signature, reply: recorded.reply)
        #expect(parsed["answer"] == true)
    }

    @Test("markers quoted in backticks are mentions of the instructions, not sections")
    func quotedMarkersAreMentions() throws {
        let recorded = try Recorded("prose_quoting_markers")
        #expect(recorded.reply.contains("`[[ ## french ## ]]`"))
        do {
            _ = try ChatAdapter().parse(recorded.signature, reply: recorded.reply)
            Issue.record("a mention must not be read as the field")
        } catch {
            #expect(error.code == .missingFields)
            #expect(error.fields == ["french"])
        }
    }

    @Test("single-hash markers a small model drifts into still open their sections")
    func singleHashMarkers() throws {
        let recorded = try Recorded("four_demos_single_hash_markers")
        #expect(recorded.reply.hasPrefix("[[ #first_name # ]]"))
        let parsed = try ChatAdapter().parse(recorded.signature, reply: recorded.reply)
        #expect(parsed["first_name"] == "Oliver")
    }

    @Test(
        "text the model writes after [[ ## completed ## ]] is ignored",
        arguments: [
            "two_demos_trailing_text", "four_demos_copy_last",
        ])
    func trailingTextAfterCompleted(id: String) throws {
        let recorded = try Recorded(id)
        let parsed = try ChatAdapter().parse(recorded.signature, reply: recorded.reply)
        let value = try #require(parsed["first_name"]?.stringValue)
        #expect(!value.contains(" ") && !value.contains("["), "\(value)")
    }

    @Test("a reply in the wrong format falls back to JSONAdapter, which reads the typed answer")
    func jsonFallback() async throws {
        let code = try Recorded("int_as_code")
        let json = try Recorded("json_typed")
        let lm = RecordedLM(replies: [(code.reply, code.finishReason), (json.reply, json.finishReason)])
        let prediction = try await Predict(code.signature, lm: lm)(["question": "What is 2 + 3?"])
        #expect(prediction["answer"]?.intValue != nil)
        #expect(prediction.usage.lmCalls == 2)
        #expect(lm.requests.last?.responseFormat?["type"] == "json_schema")
    }

    @Test("a JSON value that is only the template placeholder counts as missing, and says so")
    func placeholderEcho() throws {
        let recorded = try Recorded("json_placeholder_echo")
        #expect(recorded.reply.contains("\"{answer}\""))
        do {
            _ = try JSONAdapter().parse(recorded.signature, reply: recorded.reply)
            Issue.record("an echoed placeholder is not an answer")
        } catch {
            #expect(error.code == .missingFields)
            #expect(error.description.contains("placeholder {answer}"))
        }
        #expect(throws: AdapterError.self) {
            try ChatAdapter().parse(recorded.signature, reply: "[[ ## answer ## ]]\n{answer}\n\n[[ ## completed ## ]]")
        }
    }

    @Test("a reply cut off at max_tokens is reported as truncated, with advice")
    func truncatedReply() async throws {
        let recorded = try Recorded("truncated_cot")
        #expect(recorded.finishReason == "length")
        let lm = recorded.model()
        let cot = try ChainOfThought("question -> answer", lm: lm, adapter: ChatAdapter(useJSONFallback: false))
        do {
            _ = try await cot(["question": "Why is the sky blue?"])
            Issue.record("a truncated reply without the answer must fail")
        } catch let error as AdapterError {
            #expect(error.truncated)
            #expect(error.description.contains("raise max_tokens"))
            #expect(error.rawReply == recorded.reply)
        }
    }

    @Test("a server that refuses a JSON-schema response_format is asked in JSON mode, then without one")
    func responseFormatRefused() async throws {
        let refusal = LMError(
            code: .httpStatus, message: "400 Bad Request: response_format is not supported", status: 400)
        let lm = ScriptedLM { request in
            if request.responseFormat != nil { throw refusal }
            return #"{"answer": "Paris"}"#
        }
        let prediction = try await Predict("question -> answer", lm: lm, adapter: JSONAdapter())(
            ["question": "Capital of France?"])
        #expect(prediction["answer"] == "Paris")
        #expect(lm.requests.map { $0.responseFormat?["type"]?.stringValue } == ["json_schema", "json_object", nil])
    }
}

/// A model that replays recorded replies with their finish reasons.
final class RecordedLM: LanguageModel, @unchecked Sendable {
    let model = "recorded"
    private let replies: [(String, String?)]
    private let lock = NSLock()
    private var received: [LMRequest] = []

    init(replies: [(String, String?)]) {
        self.replies = replies
    }

    var requests: [LMRequest] { lock.withLock { received } }

    func complete(_ request: LMRequest) async throws -> LMResponse {
        let position = lock.withLock {
            received.append(request)
            return received.count - 1
        }
        let (text, finish) = replies[min(position, replies.count - 1)]
        return LMResponse(
            choices: [LMResponse.Choice(text: text, finishReason: finish)],
            usage: TokenUsage(promptTokens: 10, completionTokens: 5))
    }
}
