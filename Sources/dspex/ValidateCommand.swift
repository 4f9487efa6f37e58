import ArgumentParser
import DSPEx

/// `dspex validate`: check a pipeline file without running it.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a pipeline file and report the first problem with its location.")

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    func run() async throws {
        try await CommandFailure.reporting {
            let spec = try PipelineFile.load(path: pipeline)
            let tools = try await spec.connectTools()
            let graph = try spec.makeGraph(lm: nil, tools: tools)
            await tools.close()
            Console.line(
                "\(pipeline): ok — \(graph.stages.count) stage(s) [\(graph.stages.map(\.id).joined(separator: ", "))], "
                    + "outputs: \(graph.outputs.keys.joined(separator: ", "))")
            for stage in spec.stages where stage.module != .predict && stage.module != .chainOfThought {
                Console.line("  \(stage.id) (\(Self.settings(of: stage).joined(separator: ", ")))")
                guard stage.usesTools else { continue }
                let listed = tools.byStage[stage.id] ?? []
                Console.line(
                    "    tools: " + (listed.isEmpty ? "none (only finish)" : listed.map(\.name).joined(separator: ", "))
                )
                for tool in listed { Console.line("      \(tool.promptDescription)") }
            }
        }
    }

    /// A module stage's kind and parameters as the file gave them or their defaults, e.g.
    /// `refine of react, n 3, threshold 1.0, reward field_matches, max_iters 5`.
    static func settings(of stage: StageSpec) -> [String] {
        var parts = [stage.inner.map { "\(stage.module) of \($0)" } ?? "\(stage.module)"]
        if let sampling = stage.sampling {
            parts += ["n \(sampling.n)", "threshold \(sampling.threshold)", "reward \(sampling.reward.kind.rawValue)"]
            if let failCount = sampling.failCount { parts.append("fail_count \(failCount)") }
        }
        if let comparison = stage.comparison {
            parts += ["m \(comparison.m)", "temperature \(comparison.temperature)"]
        }
        if let knn = stage.knn { parts.append("k \(knn.k)") }
        if stage.usesTools { parts.append("max_iters \(stage.maxIters ?? 20)") }
        return parts
    }
}
