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
            let graph = try spec.makeGraph(lm: nil)
            Console.line(
                "\(pipeline): ok — \(graph.stages.count) stage(s) [\(graph.stages.map(\.id).joined(separator: ", "))], "
                    + "outputs: \(graph.outputs.keys.joined(separator: ", "))")
        }
    }
}
