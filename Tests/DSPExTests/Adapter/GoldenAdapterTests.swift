import DSPEx
import Foundation
import OrderedCollections
import Testing

/// Compares the messages DSPEx builds with those DSPy 3.4.1 built for the same program.
@Suite struct GoldenAdapterTests {
    /// Cases whose difference from DSPy is deliberate (none at present).
    static let knownDifferences: Set<String> = []

    @Test("fixtures were generated", .tags(.golden))
    func fixturesExist() {
        #expect(Fixtures.caseNames.count >= 15)
    }

    @Test("messages match DSPy 3.4.1 byte for byte", .tags(.golden), arguments: Fixtures.caseNames)
    func messagesMatchDSPy(file: String) throws {
        if Self.knownDifferences.contains(file) { return }
        let fixture = try Fixtures.load(file)
        let signatureText = try #require(fixture["signature"]?.stringValue)
        var signature = try Signature(signatureText, instructions: fixture["instructions"]?.stringValue)
        if let descriptions = fixture["field_descriptions"]?.objectValue {
            for (name, description) in descriptions {
                if let index = signature.inputs.firstIndex(where: { $0.name == name }) {
                    signature.inputs[index].description = description.stringValue
                }
                if let index = signature.outputs.firstIndex(where: { $0.name == name }) {
                    signature.outputs[index].description = description.stringValue
                }
            }
        }
        let demos = (fixture["demos"]?.arrayValue ?? []).map { Example($0.objectValue ?? [:]) }
        let inputs = fixture["inputs"]?.objectValue ?? [:]
        let adapter: any Adapter = fixture["adapter"]?.stringValue == "json" ? JSONAdapter() : ChatAdapter()
        let messages: [ChatMessage]
        if fixture["module"]?.stringValue == "chain_of_thought" {
            messages = ChainOfThought(signature, adapter: adapter, demos: demos).messages(for: inputs)
        } else {
            messages = Predict(signature, adapter: adapter, demos: demos).messages(for: inputs)
        }
        let expected = try #require(fixture["messages"]?.arrayValue).map {
            ChatMessage(role: $0["role"]?.stringValue ?? "", content: $0["content"]?.stringValue ?? "")
        }
        #expect(messages.count == expected.count)
        for (index, (actual, wanted)) in zip(messages, expected).enumerated() {
            #expect(actual.role == wanted.role, "message \(index) role")
            #expect(actual.content == wanted.content, "message \(index) of \(file)")
        }
    }

    @Test("the structured-output schema matches DSPy's", .tags(.golden))
    func structuredOutputSchemaMatches() throws {
        for file in ["json_typed_outputs.json", "json_plain.json", "json_with_demos.json"] {
            let fixture = try Fixtures.load(file)
            let signature = try Signature(try #require(fixture["signature"]?.stringValue))
            let wire = try #require(fixture["response_format"]?["wire"])
            let ours = JSONAdapter.structuredOutputFormat(signature)
            #expect(
                ours.jsonString(JSONFormat(sortKeys: true)) == wire.jsonString(JSONFormat(sortKeys: true)),
                "\(file)")
        }
    }
}
