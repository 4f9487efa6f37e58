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
            for stage in spec.stages where stage.module == .react {
                let listed = tools.byStage[stage.id] ?? []
                Console.line(
                    "  \(stage.id) (react, max_iters \(stage.maxIters ?? 20)) tools: "
                        + (listed.isEmpty ? "none (only finish)" : listed.map(\.name).joined(separator: ", ")))
                for tool in listed { Console.line("    \(tool.promptDescription)") }
            }
        }
    }
}
