import DSPEx
import Foundation
import OrderedCollections

/// Reads the golden fixtures written by `scripts/golden/make_fixtures.sh` (DSPy 3.4.1).
enum Fixtures {
    /// `Tests/DSPExTests`, whatever folder a test file is in.
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    /// The repository's root (bundled pipelines and data).
    static let repositoryRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
    /// A folder of `Tests/DSPExTests/Fixtures`.
    static func folder(_ name: String) -> URL { testsFolder.appendingPathComponent("Fixtures/\(name)") }

    static let golden = folder("golden")

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
