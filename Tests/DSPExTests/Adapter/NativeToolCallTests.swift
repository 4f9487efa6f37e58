import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// Signatures with a `list[Tool]` input and a `ToolCalls` output: in the reply's text as DSPy 3.4.1 prompts and
/// parses them, or through the server's native tool calling (OpenAI `tools` / `tool_calls`) when the adapter is
/// asked to, as DSPy's `use_native_function_calling` does.
@Suite struct NativeToolCallTests {
    static let signature = "question, tools: list[Tool] -> tool_calls: ToolCalls"

    static var calculator: CalculatorTool { get throws { try CalculatorTool() } }

    @Test("list[Tool] and ToolCalls parse, in DSPy's and the dspy. spelling")
    func typesParse() throws {
        #expect(try FieldType(parsing: "list[Tool]") == .toolList)
        #expect(try FieldType(parsing: "list[dspy.Tool]") == .toolList)
        #expect(try FieldType(parsing: "dspy.ToolCalls") == .toolCalls)
        #expect(throws: SignatureError.self) { try FieldType(parsing: "Tool") }
    }

    @Test("in text, the prompt is DSPy's for both adapters and a reply's tool calls parse", .tags(.golden))
    func textMatchesDSPy() throws {
        let fixture = try Fixtures.load("tool_calls_text.json")
        let signature = try Signature(try #require(fixture["signature"]?.stringValue))
        var inputs = fixture["inputs"]?.objectValue ?? [:]
        inputs["tools"] = fixture["tools"] ?? []
        for (adapter, key) in [(ChatAdapter() as any Adapter, "chat_messages"), (JSONAdapter(), "json_messages")] {
            let messages = Predict(signature, adapter: adapter).messages(for: inputs)
            let expected = fixture[key]?.arrayValue ?? []
            #expect(messages.count == expected.count)
            for (mine, theirs) in zip(messages, expected) {
                #expect(mine.content == theirs["content"]?.stringValue, "\(key)")
            }
        }
        let parsed = try ChatAdapter().parse(signature, reply: try #require(fixture["reply"]?.stringValue))
        #expect(parsed["tool_calls"] == fixture["parsed"]?["tool_calls"])
    }

    @Test("natively, the tools go as OpenAI tools and the server's tool_calls become the output; cached alike")
    func nativeThroughSimulator() async throws {
        let tool = try Self.calculator
        try await withSimulatedLM { lm, server in
            let predict = try Predict(Self.signature, lm: lm, adapter: ChatAdapter(nativeFunctionCalling: true))
            let inputs: OrderedDictionary<String, Value> = [
                "question": "What is 123456789 + 987654321?", "tools": [tool.functionDefinition],
            ]
            let prediction = try await predict(inputs)
            let call = try #require(prediction["tool_calls"]?["tool_calls"]?[0])
            #expect(call["name"] == "calculator")
            #expect(call["args"] == ["expression": "123456789 + 987654321"])
            #expect(try await tool.invoke(call["args"]?.objectValue ?? [:]) == 1_111_111_110)
            // The prompt no longer shows the tools or the output; the request carried them as `tools`.
            let request = try #require(lm.history.all.last?.request)
            #expect(request.extra["tools"] == [tool.functionDefinition])
            #expect(!request.messages[0].content.contains("[[ ## tool_calls ## ]]"))
            #expect(!request.messages[0].content.contains("[[ ## tools ## ]]"))
            #expect(server.stats().requests == 1)
            // The same request again is answered from the cache with the same tool calls.
            let again = try await predict(inputs)
            #expect(again["tool_calls"] == prediction["tool_calls"])
            #expect(server.stats().requests == 1)
        }
    }

    @Test("natively, a reply without tool calls is parsed as text and its ToolCalls output is null")
    func nativeWithoutCalls() async throws {
        let lm = ScriptedLM(replies: ["[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"])
        let predict = try Predict(
            "question, tools: list[Tool] -> answer: int, tool_calls: ToolCalls", lm: lm,
            adapter: ChatAdapter(nativeFunctionCalling: true))
        let prediction = try await predict([
            "question": "What is 2 + 3?", "tools": [try Self.calculator.functionDefinition],
        ])
        #expect(prediction["answer"] == 5)
        #expect(prediction["tool_calls"] == .null)
    }

    @Test("a stored reply keeps its tool calls")
    func storedRepliesKeepToolCalls() throws {
        let call: Value = ["id": "call_1", "name": "add", "args": ["a": 1, "b": 2]]
        let response = LMResponse(
            choices: [LMResponse.Choice(text: "", finishReason: "tool_calls", toolCalls: [call])],
            usage: TokenUsage(promptTokens: 3, completionTokens: 1), model: "m")
        let restored = try #require(LMResponse(storedJSON: response.storedJSON))
        #expect(restored.choices[0].toolCalls == [call])
        #expect(restored.choices[0].finishReason == "tool_calls")
    }
}
