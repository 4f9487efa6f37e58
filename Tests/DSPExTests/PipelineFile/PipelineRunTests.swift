import DSPEx
import DSPExTesting
import Foundation
import Testing

/// Every arithmetic example pipeline in `pipelines/` runs on the bundled dataset against the simulator (the
/// `realmodel_*` pipelines are for a real model: `Tests/RealModelTests`).
@Suite(.timeLimit(.minutes(3)))
struct PipelineRunTests {
    static let root = Fixtures.repositoryRoot

    static var pipelineFiles: [String] {
        let folder = root.appendingPathComponent("pipelines")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("arithmetic") && $0.hasSuffix(".yaml") }.sorted()
    }

    @Test("there are example pipelines")
    func examplesExist() {
        #expect(Self.pipelineFiles.count >= 3)
    }

    @Test("each example pipeline runs on the dev set with one LM call per stage and example", arguments: pipelineFiles)
    func runsAgainstSimulator(file: String) async throws {
        let spec = try PipelineFile.load(path: Self.root.appendingPathComponent("pipelines/\(file)").path)
        let data = Self.root.appendingPathComponent("data/arithmetic_dev.jsonl")
        let dataset = Dataset(url: data, configuration: .init(inputKeys: ["question"], requiredFields: ["question"]))
        try await withSimulatedLM { lm, server in
            let graph = try spec.makeGraph(lm: lm)
            var results: [ExampleResult] = []
            let summary = try await Scheduler(graph: graph).run(dataset.rows()) { results.append($0) }
            #expect(summary.examples == 200)
            #expect(summary.errors == 0)
            if spec.stages.contains(where: { $0.module == .react }) {
                // An agent makes one call per step and one to extract: at least two per example.
                #expect(server.stats().requests >= 400)
            } else {
                #expect(server.stats().requests == 200 * graph.stages.count)
            }
            #expect(results.allSatisfy { $0.outputs["answer"]?.intValue != nil })
            #expect(Set(results.map(\.example.id)).count == 200)
        }
    }
}
