import ArgumentParser
import DSPEx
import Foundation

/// `--program FILE`: an optimized program (DSPy's JSON layout, from `dspex compile`) applied to the pipeline.
struct ProgramOptions: ParsableArguments {
    @Option(help: "An optimized program (JSON from `dspex compile`, or saved by DSPy) applied to the pipeline.")
    var program: String?

    /// The graph with the saved program's instructions and demos, or unchanged without `--program`.
    func apply(to graph: Graph) throws -> Graph {
        guard let program else { return graph }
        return try graph.loading(from: URL(fileURLWithPath: program))
    }
}
