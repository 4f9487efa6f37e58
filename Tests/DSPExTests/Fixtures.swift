import DSPEx
import Foundation
import OrderedCollections

/// Reads the golden fixtures written by `scripts/golden/make_fixtures.sh` (DSPy 3.4.1).
enum Fixtures {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden")

    static func load(_ name: String) throws -> Value {
        let url = golden.appendingPathComponent(name)
        return try Value(json: String(contentsOf: url, encoding: .utf8))
    }

    static var caseNames: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: golden.path)) ?? []
        return files.filter { ($0.hasPrefix("predict_") || $0.hasPrefix("json_") || $0.hasPrefix("cot_")) }
            .sorted()
    }
}
