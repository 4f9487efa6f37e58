import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// ReAct's prompts, tool descriptions and saved programs compared with those DSPy 3.4.1 produced
/// (`scripts/golden/make_fixtures.sh`).
@Suite struct ReActGoldenTests {
    static let reactCases = [
        "react_basic.json", "react_custom_instructions.json", "react_explicit_tool.json", "react_json_adapter.json",
        "react_saved_with_demos.json",
    ]

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

    /// The agent of a fixture: its signature and tools (taken from the schemas DSPy recorded), without `finish`.
    static func agent(_ fixture: Value) throws -> ReAct {
        let signature = try Signature(
            try #require(fixture["signature"]?.stringValue), instructions: fixture["instructions"]?.stringValue)
        let tools: [any Tool] = try (fixture["tools"]?.arrayValue ?? []).compactMap { tool in
            let name = try #require(tool["name"]?.stringValue)
            guard name != ReAct.finishToolName else { return nil }
            return try FunctionTool(
                name: name, description: tool["desc"]?.stringValue, arguments: tool["args"]?.objectValue ?? [:]
            ) { _ in .null }
        }
        let adapter: any Adapter = fixture["adapter"]?.stringValue == "json" ? JSONAdapter() : ChatAdapter()
        return try ReAct(
            signature, tools: tools, maxIters: fixture["max_iters"]?.intValue ?? 20, adapter: adapter)
    }

    @Test("react and extract prompts match DSPy's byte for byte", .tags(.golden), arguments: reactCases)
    func promptsMatch(file: String) throws {
        let fixture = try Fixtures.load(file)
        let agent = try Self.agent(fixture)
        #expect(agent.react.signature.instructions == fixture["react_instructions"]?.stringValue)
        let inputs = Self.pairs(fixture["inputs"])
        let trajectories = fixture["trajectories"]?.arrayValue ?? []
        #expect(!trajectories.isEmpty)
        for (index, trajectory) in trajectories.enumerated() {
            let formatted = agent.formatTrajectory(Self.pairs(trajectory))
            #expect(formatted == fixture["formatted_trajectories"]?[index]?.stringValue, "trajectory \(index)")
            var call = inputs
            call["trajectory"] = .string(formatted)
            for (predictor, key) in [(agent.react, "react_messages"), (agent.extract.predict, "extract_messages")] {
                let expected = Self.messages(fixture[key]?[index])
                let actual = predictor.messages(for: call)
                #expect(actual.count == expected.count)
                for (mine, theirs) in zip(actual, expected) {
                    #expect(mine.role == theirs.role)
                    #expect(mine.content == theirs.content, "\(key) \(index) of \(file)")
                }
            }
        }
    }

    @Test("the saved layout is DSPy's: react and extract.predict", .tags(.golden), arguments: reactCases)
    func savedStateMatches(file: String) throws {
        let fixture = try Fixtures.load(file)
        let agent = try Self.agent(fixture)
        var saved = try #require(fixture["saved_state"]?.objectValue)
        saved.removeValue(forKey: "metadata")
        if file == "react_saved_with_demos.json" {
            var loaded = agent
            try loaded.loadState(.object(saved))
            #expect(loaded.react.demos.count == 2)
            #expect(loaded.extract.predict.demos.count == 2)
            var mine = try #require(loaded.savedState().objectValue)
            mine.removeValue(forKey: "metadata")
            #expect(Value.object(mine) == Value.object(saved))
            // The demos render as DSPy renders them.
            var call = Self.pairs(fixture["inputs"])
            call["trajectory"] = .string(loaded.formatTrajectory(Self.pairs(fixture["trajectories"]?[1])))
            for (predictor, key) in [
                (loaded.react, "react_demo_messages"), (loaded.extract.predict, "extract_demo_messages"),
            ] {
                var expected = fixture[key]
                if expected?[0]?["role"] == nil { expected = expected?[0] }
                let wanted = Self.messages(expected)
                let actual = predictor.messages(for: call)
                #expect(actual.count == wanted.count, "\(key)")
                for (mine, theirs) in zip(actual, wanted) { #expect(mine.content == theirs.content, "\(key)") }
            }
        } else {
            var mine = try #require(agent.savedState().objectValue)
            mine.removeValue(forKey: "metadata")
            #expect(Value.object(mine) == Value.object(saved), "\(file)")
        }
        #expect(agent.namedPredictors.map(\.name) == ["react", "extract.predict"])
    }

    @Test("typed tool parameters give pydantic's schemas and DSPy's tool text", .tags(.golden))
    func toolSchemasMatch() throws {
        let cases = try #require(try Fixtures.load("tool_schemas.json").arrayValue)
        var checked = 0
        for entry in cases {
            let params = entry["params"]?.arrayValue ?? []
            // Untyped Python parameters and integer Literals have no DSPEx type.
            let types = params.map { $0["type"]?.stringValue }
            guard types.allSatisfy({ $0 != nil && !$0!.hasPrefix("Literal[1") }) else { continue }
            let parameters = try params.map { param in
                ToolParameter(
                    try #require(param["name"]?.stringValue),
                    type: try FieldType(parsing: try #require(param["type"]?.stringValue)),
                    default: param.objectValue?["default"], description: param["description"]?.stringValue)
            }
            let tool = try FunctionTool(
                name: try #require(entry["name"]?.stringValue), description: entry["desc"]?.stringValue,
                parameters: parameters
            ) { _ in .null }
            let function = entry["function"]?.stringValue ?? ""
            #expect(Value.object(tool.arguments) == entry["args"], "\(function)")
            #expect(tool.promptDescription == entry["str"]?.stringValue, "\(function)")
            #expect(tool.functionDefinition == entry["litellm"], "\(function)")
            checked += 1
        }
        #expect(checked >= 9)
    }
}
