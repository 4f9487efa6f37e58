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

    @Option(
        help: """
            Which examples keep their stages' inputs, outputs and LM calls (exact messages, raw replies) for             `dspex inspect` and `dspex serve`: all, failed (failed or scored below 1) or none.
            """)
    var keepPrompts: KeepPrompts = .all

    @Flag(
        help: """
            Queue the run's examples as shards in the (PostgreSQL) store for `dspex worker` processes and exit \
            without evaluating.
            """)
    var workersOnly = false

    @Option(help: "With --workers-only: the examples in each shard a worker claims.")
    var shardSize = 100

    @Option(help: "With --workers-only: requests per minute allowed to the run across all its workers.")
    var runRequestsPerMinute: Int?

    @OptionGroup var programOptions: ProgramOptions

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var model: LanguageModelOptions

    func validate() throws {
        if run != nil && resume != nil { throw ValidationError("use either --run NAME or --resume NAME, not both") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let maxCalls, maxCalls < 1 { throw ValidationError("--max-calls must be at least 1") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if shardSize < 1 { throw ValidationError("--shard-size must be at least 1") }
        if let runRequestsPerMinute {
            if runRequestsPerMinute < 1 { throw ValidationError("--run-requests-per-minute must be at least 1") }
            if !workersOnly {
                throw ValidationError("--run-requests-per-minute limits workers: use it with --workers-only")
            }
        }
        if workersOnly, resume != nil { throw ValidationError("--workers-only starts a run; workers resume it") }
        if workersOnly, !storeOptions.isPostgres {
            throw ValidationError("--workers-only needs a shared store: --store postgresql://user@host:port/database")
        }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try await storeOptions.open()
            let plan = self.plan
            let presenter = RunPresenter(storeSuffix: storeOptions.suffix, json: json, announcesName: false)
            let name: String
            if let given = resume ?? run {
                name = given
            } else {
                name = try await Run.defaultName(for: plan, in: store)
            }
            if workersOnly {
                guard let queue = store as? any ShardQueue else {
                    throw ValidationError("the store \(store.location) cannot share work between workers")
                }
                let (_, examples, shards) = try await Run.enqueue(plan, named: name, in: queue, shardSize: shardSize)
                Console.line("run \(name)")
                Console.error(
                    "queued \(examples) examples in \(shards) shards for `dspex worker\(storeOptions.suffix)`; "
                        + "watch with `dspex show \(name)\(storeOptions.suffix)`")
                return
            }
            try await presenter.present(plan, named: name, resuming: resume != nil, store: store, out: nil)
        }
    }

    /// The run these flags ask for.
    var plan: RunPlan {
        RunPlan(
            kind: .eval, pipeline: pipeline, data: dataOptions.data, program: programOptions.program,
            idField: dataOptions.idField, skipBadRows: dataOptions.onBadRow == .skip, limit: dataOptions.limit,
            lm: model.overrides, simulator: model.simulator, cache: !model.noCache, metric: metric,
            metricField: metricField,
            budget: maxCalls == nil && maxTokens == nil ? nil : UsageBudget(maxCalls: maxCalls, maxTokens: maxTokens),
            concurrency: concurrency, maxErrors: maxErrors, json: json, keepPrompts: keepPrompts,
            sharedRequestsPerMinute: runRequestsPerMinute)
    }
}

extension KeepPrompts: ExpressibleByArgument {}
