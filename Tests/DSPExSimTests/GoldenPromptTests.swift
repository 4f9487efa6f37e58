import DSPExSim
import Foundation
import Testing

/// Replays the messages of the DSPy golden fixtures (`Tests/DSPExTests/Fixtures/golden`) and checks that
/// every reply has exactly the fixture's output fields, in the adapter's format.
@Suite(.timeLimit(.minutes(3)))
struct GoldenPromptTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("DSPExTests/Fixtures/golden")

    struct Fixture {
        var name: String
        var adapter: String
        var outputs: [(name: String, type: String)]
        var body: String
    }

    static func fixtures() throws -> [Fixture] {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.goldenDirectory.path).sorted()
        var fixtures: [Fixture] = []
        for file in files where file.hasSuffix(".json") {
            let data = try Data(contentsOf: Self.goldenDirectory.appendingPathComponent(file))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let messages = object["messages"] as? [[String: Any]],
                let adapter = object["adapter"] as? String,
                let fields = object["effective_fields"] as? [[String: Any]]
            else { continue }
            var request: [String: Any] = ["model": "dspex-sim", "messages": messages]
            if let format = object["response_format"] as? [String: Any], let wire = format["wire"] {
                request["response_format"] = wire
            }
            let body = try JSONSerialization.data(withJSONObject: request)
            let outputs = fields.filter { $0["role"] as? String == "output" }.map {
                (name: $0["name"] as? String ?? "", type: $0["type"] as? String ?? "")
            }
            fixtures.append(
                Fixture(name: file, adapter: adapter, outputs: outputs, body: String(decoding: body, as: UTF8.self)))
        }
        return fixtures
    }

    @Test(
        "every golden DSPy prompt is answered with its output fields in its adapter's format",
        .enabled(if: FileManager.default.fileExists(atPath: GoldenPromptTests.goldenDirectory.path)))
    func goldenPrompts() async throws {
        let fixtures = try Self.fixtures()
        #expect(fixtures.count >= 10)
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            for fixture in fixtures {
                let reply = try await connection.chat(fixture.body)
                #expect(reply.status == 200, "\(fixture.name)")
                let content = try reply.decode(ChatCompletionReply.self).content
                let names = fixture.outputs.map(\.name)
                if fixture.adapter == "json" {
                    let object = try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any]
                    #expect(Set(object?.keys.map { $0 } ?? []) == Set(names), "\(fixture.name): \(content)")
                } else {
                    #expect(chatSections(content).map(\.name) == names + ["completed"], "\(fixture.name): \(content)")
                }
                for output in fixture.outputs where output.type == "int" {
                    let value =
                        fixture.adapter == "json"
                        ? ((try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])?[output.name]
                            as? Int).map(String.init)
                        : chatSections(content).first { $0.name == output.name }?.value
                    #expect(Int(value ?? "") != nil, "\(fixture.name): \(output.name) = \(value ?? "nil")")
                }
            }
            await connection.close()
        }
    }
}
