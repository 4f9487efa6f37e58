import DSPExSim
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)))
struct ChatCompletionTests {
    /// A prompt with one output field of every type the simulator knows.
    static let typedPrompt: DSPyPrompt = {
        var prompt = DSPyPrompt()
        prompt.outputs = [
            ("reasoning", "str", nil),
            ("count", "int", "must be a single int value"),
            ("score", "float", "must be a single float value"),
            ("is_sure", "bool", "must be True or False"),
            ("tags", "list[str]", #"must adhere to the JSON schema: {"type": "array", "items": {"type": "string"}}"#),
            (
                "numbers", "list[int]",
                #"must adhere to the JSON schema: {"type": "array", "items": {"type": "integer"}}"#
            ),
            (
                "sentiment", "Literal['positive', 'negative', 'neutral']",
                "must exactly match (no extra characters) one of: positive; negative; neutral"
            ),
            (
                "details", "dict[str, Any]",
                #"must adhere to the JSON schema: {"type": "object", "additionalProperties": true}"#
            ),
            (
                "maybe", "Union[int, NoneType]",
                #"must adhere to the JSON schema: {"anyOf": [{"type": "integer"}, {"type": "null"}]}"#
            ),
            ("summary", "str", nil),
        ]
        return prompt
    }()

    @Test("a ChatAdapter prompt is answered with every output field in order, then the completed marker")
    func chatFormat() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/chat/completions",
                body: Self.typedPrompt.body(for: ["How many legs does a spider have?"]))
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/json")
            let completion = try reply.decode(ChatCompletionReply.self)
            #expect(completion.object == "chat.completion")
            #expect(completion.id.hasPrefix("chatcmpl-"))
            #expect(completion.choices.count == 1)
            #expect(completion.choices[0].message.role == "assistant")
            #expect(completion.choices[0].finishReason == "stop")
            #expect(
                completion.usage.totalTokens == completion.usage.promptTokens + completion.usage.completionTokens)
            #expect(completion.usage.completionTokens >= 1)
            #expect(completion.content.hasSuffix("[[ ## completed ## ]]"))
            let names = chatSections(completion.content).map(\.name)
            #expect(names == Self.typedPrompt.outputs.map(\.name) + ["completed"])
        }
    }

    @Test("values have the declared types: int, float, bool, list, Literal, dict, Optional")
    func typedValues() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/chat/completions",
                body: Self.typedPrompt.body(for: ["Describe a spider."]))
            let sections = Dictionary(
                uniqueKeysWithValues: chatSections(try reply.decode(ChatCompletionReply.self).content)
                    .map { ($0.name, $0.value) })
            #expect(Int(sections["count"] ?? "") != nil)
            #expect(Double(sections["score"] ?? "") != nil)
            #expect(["true", "false"].contains(sections["is_sure"] ?? ""))
            let tags = try JSONSerialization.jsonObject(with: Data((sections["tags"] ?? "").utf8)) as? [String]
            #expect((tags?.count ?? 0) >= 1)
            let numbers = try JSONSerialization.jsonObject(with: Data((sections["numbers"] ?? "").utf8)) as? [Int]
            #expect((numbers?.count ?? 0) >= 1)
            #expect(["positive", "negative", "neutral"].contains(sections["sentiment"] ?? ""))
            let details = try JSONSerialization.jsonObject(with: Data((sections["details"] ?? "").utf8))
            #expect(details is [String: Any])
            #expect(Int(sections["maybe"] ?? "") != nil)
            #expect(sections["reasoning"]?.isEmpty == false)
            #expect(sections["summary"]?.contains("Describe a spider.") == true)
        }
    }

    @Test("JSONAdapter prompts and response_format get a JSON object with every output field")
    func jsonMode() async throws {
        var prompt = Self.typedPrompt
        prompt.adapter = .json
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            let bySystemMessage = try await connection.chat(prompt.body(for: ["Describe a spider."]))
            // A plain prompt that only asks for JSON through response_format.
            let byResponseFormat = try await connection.chat(
                DSPyPrompt.arithmetic().body(
                    for: ["What is 2 + 3?"], extra: ["response_format": ["type": "json_object"]]))
            await connection.close()

            let content = try bySystemMessage.decode(ChatCompletionReply.self).content
            let object = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
            #expect(Set(object.keys) == Set(prompt.outputs.map(\.name)))
            #expect(object["count"] is Int)
            #expect(object["is_sure"] is Bool)
            #expect(object["tags"] is [String])
            #expect(object["details"] is [String: Any])
            #expect(["positive", "negative", "neutral"].contains(object["sentiment"] as? String ?? ""))
            let keyOrder = prompt.outputs.map { "\"\($0.name)\":" }
            let positions = keyOrder.compactMap { content.range(of: $0)?.lowerBound }
            #expect(positions == positions.sorted())

            let arithmetic = try byResponseFormat.decode(ChatCompletionReply.self).content
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(arithmetic.utf8)) as? [String: Any])
            #expect(answer["answer"] is Int)
        }
    }

    @Test("n > 1 returns n choices, each a different deterministic sample")
    func multipleChoices() async throws {
        try await withSimulator { server in
            let body = Self.typedPrompt.body(for: ["Describe a spider."], extra: ["n": 4, "temperature": 0.7])
            let connection = try await TestHTTPConnection.connect(port: server.port)
            let first = try await connection.chat(body).decode(ChatCompletionReply.self)
            let second = try await connection.chat(body).decode(ChatCompletionReply.self)
            await connection.close()
            #expect(first.choices.map(\.index) == [0, 1, 2, 3])
            #expect(Set(first.choices.map(\.message.content)).count == 4)
            #expect(first.choices.map(\.message.content) == second.choices.map(\.message.content))
            for choice in first.choices {
                #expect(chatSections(choice.message.content).map(\.name).last == "completed")
            }
        }
    }

    @Test("the same prompt and seed always get the same answer; another seed can differ")
    func determinism() async throws {
        let prompt = DSPyPrompt.arithmetic(reasoning: true)
        let bodies = (0..<20).map { prompt.body(for: ["What is \($0 * 13) + \($0 * 7 - 40)?"]) }
        func answers(seed: UInt64) async throws -> [String] {
            var configuration = SimulatorConfiguration()
            configuration.seed = seed
            return try await withSimulator(configuration) { server in
                let connection = try await TestHTTPConnection.connect(port: server.port)
                var contents: [String] = []
                for body in bodies {
                    contents.append(try await connection.chat(body).decode(ChatCompletionReply.self).content)
                }
                await connection.close()
                return contents
            }
        }
        let first = try await answers(seed: 1)
        let again = try await answers(seed: 1)
        let otherSeed = try await answers(seed: 2)
        #expect(first == again)
        #expect(first != otherSeed)
    }

    @Test("the arithmetic answer and its reasoning agree, and a wrong answer is off by 1 to 3")
    func arithmeticReply() async throws {
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            for a in [-7, 0, 12, 250] {
                let b = a / 2 - 3
                let reply = try await connection.chat(
                    DSPyPrompt.arithmetic(reasoning: true).body(for: ["What is \(a) + \(b)?"]))
                let sections = chatSections(try reply.decode(ChatCompletionReply.self).content)
                let answer = try #require(Int(sections.first { $0.name == "answer" }?.value ?? ""))
                #expect(sections.first { $0.name == "reasoning" }?.value == "\(a) + \(b) = \(answer).")
                #expect(abs(answer - (a + b)) <= 3)
            }
            await connection.close()
        }
    }

    @Test("max_tokens truncates the reply and reports finish_reason length")
    func maxTokens() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/chat/completions",
                body: Self.typedPrompt.body(for: ["Describe a spider."], extra: ["max_tokens": 5]))
            let completion = try reply.decode(ChatCompletionReply.self)
            #expect(completion.choices[0].finishReason == "length")
            #expect(completion.content.utf8.count <= 20)
        }
    }

    @Test("a prompt that is not in DSPy's format gets a plain-text reply")
    func prose() async throws {
        try await withSimulator { server in
            let body = DSPyPrompt.body(messages: [["role": "user", "content": "What is 40 + 2?"]])
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/chat/completions", body: body)
            let content = try reply.decode(ChatCompletionReply.self).content
            #expect(content.hasPrefix("40 + 2 = "))
            #expect(!content.contains("[[ ##"))
        }
    }
}
