import Testing

@testable import DSPEx

/// Reading chat-completions replies: the fields DSPEx uses, whatever else the server adds, and clear errors.
@Suite struct ChatCompletionDecodingTests {
    private func decode(_ text: String) throws -> LMResponse {
        try OpenAICompatibleLM.decodeResponse(Array(text.utf8), endpoint: "http://test/v1")
    }

    @Test("an OpenAI reply with extra members, nested usage details and escapes gives text, reason, usage and model")
    func fullReply() throws {
        let reply = try decode(
            #"""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-x",
             "choices":[{"index":0,"message":{"role":"assistant","content":"a \"b\"\n\u00e9 \ud83d\ude00","refusal":null,
               "tool_calls":[{"id":"t","function":{"name":"f","arguments":"{}"}}]},
               "logprobs":{"content":[{"token":"a","logprob":-0.1,"bytes":[97]}]},"finish_reason":"stop"},
              {"index":1,"message":{"role":"assistant","content":"second"},"finish_reason":"length"}],
             "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,
               "prompt_tokens_details":{"cached_tokens":0}},"system_fingerprint":"fp"}
            """#)
        #expect(reply.choices.map(\.text) == ["a \"b\"\né 😀", "second"])
        #expect(reply.choices.map(\.finishReason) == ["stop", "length"])
        #expect(reply.usage == TokenUsage(promptTokens: 12, completionTokens: 3))
        #expect(reply.model == "gpt-x")
    }

    @Test("a completion's text is used when there is no message content; a choice without either is empty")
    func fallbacks() throws {
        let reply = try decode(
            #"{"choices":[{"text":"done","finish_reason":null},{"message":{"content":null},"text":"t"},{"x":1},7]}"#)
        #expect(reply.choices.map(\.text) == ["done", "t", "", ""])
        #expect(reply.choices[0].finishReason == nil)
        #expect(reply.usage == TokenUsage(promptTokens: 0, completionTokens: 0))
        #expect(reply.model == nil)
    }

    @Test("a later duplicate member wins, as in the parsed object")
    func duplicates() throws {
        let reply = try decode(#"{"choices":[],"choices":[{"message":{"content":"a"},"message":{"role":"x"}}]}"#)
        #expect(reply.choices.map(\.text) == [""])
    }

    @Test(
        "a body that is not JSON, has no choices, or has text after the JSON is an invalid response naming the endpoint",
        arguments: [
            ("<html>502</html>", "did not return JSON"),
            (#"{"choices":[{"message":{"content":"a"}}]} extra"#, "did not return JSON"),
            (#"{"choices":[{"message":{"content":"a"}}"#, "did not return JSON"),
            (#"{"choices":[]}"#, "returned no 'choices'"),
            (#"{"choices":{"0":1}}"#, "returned no 'choices'"),
            (#"[1,2]"#, "returned no 'choices'"),
            (#"{"error":{"message":"overloaded"}}"#, "returned no 'choices'"),
        ])
    func invalid(body: String, expected: String) {
        #expect {
            try decode(body)
        } throws: { error in
            guard let error = error as? LMError else { return false }
            return error.code == .invalidResponse && error.message.contains("http://test/v1 \(expected)")
        }
    }
}
