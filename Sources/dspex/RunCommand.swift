import ArgumentParser
import DSPEx
import Foundation

/// `dspex run`: a pipeline file over a dataset, one JSON line per example.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file over a dataset and write one JSON line per example.",
        discussion: """
            Each line is {"id": ..., "outputs": {...}, "error": null | {"stage": ..., "message": ...}}.
            Example:
              dspex run pipelines/arithmetic_checked.yaml --data data/arithmetic_dev.jsonl --out results.jsonl
            """)

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @OptionGroup var dataOptions: DatasetOptions

    @Option(help: "Write the results here instead of standard output.")
    var out: String?

    @Option(help: "Run every stage with this concurrency instead of the file's.")
    var concurrency: Int?

    @Flag(help: "Write results in dataset order (default: as they complete).")
    var ordered = false

    @Option(help: "Stop cleanly after more than this many examples fail.")
    var maxErrors: Int?

    @OptionGroup var programOptions: ProgramOptions

    @OptionGroup var model: LanguageModelOptions

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let maxErrors, maxErrors < 0 { throw ValidationError("--max-errors must be 0 or more") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let spec = try PipelineFile.load(path: pipeline)
            // Built once, before any work (problems in the files are reported first); the model is bound below.
            let settings = LMSettings(overriding: model.overrides, file: spec.lm)
            let tools = try await spec.connectTools()
            let graph = try programOptions.apply(
                to: try spec.makeGraph(lm: nil, concurrency: concurrency, options: settings.options, tools: tools))
            let rows = dataOptions.dataset(for: spec)
            let writer = try ResultWriter(path: out)
            let summary = try await Interrupts.cancellingOnSignal { [model, maxErrors, ordered] in
                try await model.withLanguageModel(file: spec.lm) { lm in
                    try await withLM(lm) {
                        let scheduler = Scheduler(
                            graph: graph, configuration: .init(maxErrors: maxErrors, ordered: ordered))
                        return try await scheduler.run(rows) { result in writer.write(result) }
                    }
                }
            }
            await tools.close()
            try writer.close()
            let line = summaryLine(summary, skipped: rows.skippedRowCount)
            if out == nil { Console.error(line) } else { Console.line(line) }
            if summary.stopReason == .lmRefused, let error = summary.stopError { Console.error("error: \(error)") }
            if summary.stopReason == .maxErrors { throw ExitCode(2) }
            if summary.stopReason == .lmRefused || summary.stopReason == .budgetExhausted { throw ExitCode(4) }
            if summary.stopReason == .cancelled { throw ExitCode(130) }
        }
    }

    private func summaryLine(_ summary: RunSummary, skipped: Int) -> String {
        let seconds = summary.elapsed.seconds
        var parts = [
            "\(summary.examples) examples", "\(summary.errors) errors",
            "\(summary.lmCalls) LM calls (\(summary.cachedCalls) cached)",
            "\(summary.tokens.totalTokens) tokens", String(format: "%.2f s", seconds),
        ]
        if skipped > 0 { parts.append("\(skipped) bad rows skipped") }
        if let reason = summary.stopReason { parts.append("stopped: \(reason)") }
        return parts.joined(separator: ", ")
    }
}
