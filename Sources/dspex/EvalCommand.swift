import ArgumentParser
import DSPEx
import Foundation

/// `dspex eval`: a pipeline evaluated on a dataset, every result checkpointed, resumable.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a pipeline on a dataset; results are checkpointed in SQLite and the run can be resumed.",
        discussion: """
            Example:
              dspex eval pipelines/arithmetic.yaml --data data/arithmetic_dev.jsonl --run dev-1
              dspex eval pipelines/arithmetic.yaml --data data/arithmetic_dev.jsonl --resume dev-1
            """)

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @OptionGroup var dataOptions: DatasetOptions

    @Option(help: "Name this run (default: the pipeline's name and the time).")
    var run: String?

    @Option(help: "Continue the run with this name: examples with results are skipped.")
    var resume: String?

    @Option(help: "The metric: exact_match, f1, contains or numeric (default: the file's, else exact_match).")
    var metric: String?

    @Option(help: "The output field the metric reads (default: the file's metric field, else the first output).")
    var metricField: String?

    @Flag(help: "Print the final summary as one JSON object.")
    var json = false

    @Option(help: "Stop (resumably) after this many LM calls.")
    var maxCalls: Int?

    @Option(help: "Stop (resumably) after this many tokens.")
    var maxTokens: Int?

    @Option(help: "Stop cleanly after more than this many examples fail.")
    var maxErrors: Int?

    @Option(help: "Run every stage with this concurrency instead of the file's.")
    var concurrency: Int?

    @OptionGroup var programOptions: ProgramOptions

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var model: LanguageModelOptions

    func validate() throws {
        if run != nil && resume != nil { throw ValidationError("use either --run NAME or --resume NAME, not both") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let maxCalls, maxCalls < 1 { throw ValidationError("--max-calls must be at least 1") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let spec = try PipelineFile.load(path: pipeline)
            _ = try programOptions.apply(to: try spec.makeGraph(lm: nil, concurrency: concurrency))
            let (makeMetric, metricConfig) = try resolveMetric(spec)
            let rows = dataOptions.dataset(for: spec)
            let datasetHash = try Dataset(url: URL(fileURLWithPath: dataOptions.data)).contentHash()
            let store = try storeOptions.open()
            let name = try resume ?? run ?? RunArguments.defaultName(spec.name, in: store)
            let identity = Evaluate.Run(
                name: name, pipeline: pipeline,
                programHash: try programOptions.identity(pipelineHash: spec.contentHash), datasetHash: datasetHash,
                config: ["metric": metricConfig, "arguments": .array(RunArguments.resumable().map(Value.string))],
                resume: resume != nil)
            let total = dataOptions.estimatedRowCount()
            let progress = ProgressDisplay(enabled: !json)
            let metricName = metricConfig["name"]?.stringValue ?? "metric"
            let cache = model.noCache ? nil : PersistentLMCache(store: store)
            let outcome: Result<EvaluationResult, any Error>
            do {
                outcome = .success(
                    try await Interrupts.cancellingOnSignal {
                        [model, maxCalls, maxTokens, concurrency, maxErrors, programOptions] in
                        try await model.withLanguageModel(file: spec.lm, cache: cache) { lm in
                            let graph = try programOptions.apply(
                                to: try spec.makeGraph(lm: lm, concurrency: concurrency))
                            let budget =
                                maxCalls == nil && maxTokens == nil
                                ? nil : UsageBudget(maxCalls: maxCalls, maxTokens: maxTokens)
                            let evaluate = Evaluate(
                                metric: try makeMetric(lm), store: store,
                                configuration: .init(scheduler: .init(maxErrors: maxErrors), budget: budget))
                            return try await evaluate.evaluate(graph, on: rows, total: total, run: identity) {
                                progress.update($0)
                            }
                        }
                    })
            } catch {
                outcome = .failure(error)
            }
            try await cache?.flush()
            let result = try outcome.get()
            progress.finish()
            if json {
                print(result.json.jsonString(.pretty(indent: 2)))
            } else {
                print(SummaryTable.render(result, metric: metricName, skipped: rows.skippedRowCount))
            }
            if let reason = result.stopReason {
                if reason == .lmRefused, let error = result.stopError { Console.error("error: \(error)") }
                Console.error("stopped (\(reason)); resume with: dspex resume \(name)" + storeSuffix)
                throw ExitCode(reason == .cancelled ? 130 : reason == .lmRefused ? 4 : 3)
            }
        }
    }

    private var storeSuffix: String { storeOptions.store.map { " --store \($0)" } ?? "" }

    /// The metric, made once the model is known (an LM judge uses the run's model), and its description for the
    /// run's config (so a resume with another metric is refused).
    private func resolveMetric(_ spec: PipelineSpec) throws -> (@Sendable (any LanguageModel) throws -> Metric, Value) {
        let name = metric ?? spec.metric?.name ?? "exact_match"
        let field = metricField ?? spec.metric?.field ?? spec.outputs.first?.name ?? "answer"
        let label = metricField == nil ? spec.metric?.label : nil
        var description: Value = [
            "name": .string(name), "field": .string(field), "label": label.map(Value.string) ?? .null,
        ]
        if let judge = spec.metric, judge.isJudged, metric == nil || metric == judge.name,
            let signature = judge.signature
        {
            description = ["name": .string(name), "signature": .string(signature)]
            let instructions = judge.instructions
            var inputs: [String: MetricInput] = [:]
            for (input, source) in judge.inputs {
                let parts = source.split(separator: ".", maxSplits: 1).map(String.init)
                inputs[input] = parts.first == "example" ? .example(parts[1]) : .prediction(parts[1])
            }
            let mapping = inputs
            return (
                { lm in try Metric.judged(by: signature, instructions: instructions, lm: lm, inputs: mapping) },
                description
            )
        }
        let resolved = try Metric.named(name, field: field, label: label)
        return ({ _ in resolved }, description)
    }

}
