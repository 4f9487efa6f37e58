import ArgumentParser
import DSPEx
import Foundation

/// `dspex compile`: optimize a pipeline's prompts from a training set, as a stored, resumable run, and write the
/// program as JSON.
struct CompileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Optimize a pipeline's instructions and demos; the run is stored, resumable and can run detached.",
        discussion: """
            Optimizers: labeled (LabeledFewShot), bootstrap (BootstrapFewShot), random-search
            (BootstrapFewShotWithRandomSearch), mipro (MIPROv2, with --auto light|medium|heavy), copro (COPRO).
            Every proposal, trial and example result is stored as it finishes: `dspex resume RUN` continues a run
            that was cancelled, killed or crashed and ends with the same program. The run name is printed first.
            Examples:
              dspex compile pipelines/arithmetic.yaml --optimizer mipro --auto light \\
                  --trainset data/arithmetic_train.jsonl --run mipro-1 --out program.json
              dspex compile pipelines/arithmetic.yaml --optimizer bootstrap --trainset data/arithmetic_train.jsonl \\
                  --detach
              dspex runs; dspex cancel mipro-1; dspex resume mipro-1
            """)

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(help: "labeled, bootstrap, random-search, mipro or copro.")
    var optimizer: OptimizerChoice = .bootstrap

    @Option(help: "The training set (JSONL or CSV).")
    var trainset: String

    @Option(help: "The validation set candidates are chosen on (default: the optimizer's, as in DSPy).")
    var valset: String?

    @Option(help: "mipro: the preset budget, light, medium or heavy.")
    var auto: MIPROv2.Auto = .light

    @Option(help: "The seed for every random choice (mipro's default is DSPy's 9; others 0).")
    var seed: UInt64?

    @Option(help: "Name this run (default: the pipeline's name, the optimizer and the time).")
    var run: String?

    @Option(help: .hidden)
    var resume: String?

    @Flag(help: "Return the run name at once and optimize in the background (log under .dspex/logs/).")
    var detach = false

    @Option(help: "Write the optimized program here (JSON, DSPy's layout).")
    var out: String?

    @Option(help: "The most labeled demos per predictor (labeled: k; default 16, mipro 4).")
    var maxDemos: Int?

    @Option(help: "The most bootstrapped demos per predictor.")
    var maxBootstrappedDemos: Int = 4

    @Option(help: "random-search: shuffled bootstrap candidates.")
    var numCandidatePrograms: Int = 16

    @Option(help: "copro: candidates per round.")
    var breadth: Int = 10

    @Option(help: "copro: rounds.")
    var depth: Int = 3

    @Option(help: "Examples run at once per stage while optimizing.")
    var concurrency: Int = 16

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var model: LanguageModelOptions

    func validate() throws {
        if run != nil && resume != nil { throw ValidationError("use either --run NAME or dspex resume NAME") }
        if detach && resume != nil { throw ValidationError("--detach starts a run; resume it with dspex resume") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let spec = try PipelineFile.load(path: pipeline)
            let inputs = DatasetOptions.inputFields(of: spec)
            let configuration = Dataset.Configuration(inputKeys: inputs, requiredFields: inputs)
            let trainURL = URL(fileURLWithPath: trainset)
            let train = try await Dataset(url: trainURL, configuration: configuration).examples()
            var datasetHash = try Dataset(url: trainURL).contentHash()
            var validation: [Example]?
            if let valset {
                let url = URL(fileURLWithPath: valset)
                validation = try await Dataset(url: url, configuration: configuration).examples()
                datasetHash += "+" + (try Dataset(url: url).contentHash())
            }
            let metricDescription: Value = [
                "name": .string(spec.metric?.name ?? "exact_match"),
                "field": .string(spec.metric?.field ?? spec.outputs.first?.name ?? "answer"),
            ]
            let metric = try Metric.named(
                spec.metric?.name ?? "exact_match", field: spec.metric?.field ?? spec.outputs.first?.name,
                label: spec.metric?.label)
            let store = try storeOptions.open()
            let name = try resume ?? run ?? RunArguments.defaultName("\(spec.name)-\(optimizer.rawValue)", in: store)
            let identity = Evaluate.Run(
                name: name, pipeline: pipeline, programHash: spec.contentHash, datasetHash: datasetHash,
                config: [
                    "metric": metricDescription, "optimizer": .string(optimizer.rawValue),
                    "arguments": .array(RunArguments.resumable().map(Value.string)),
                ],
                resume: resume != nil)
            if detach {
                try startDetached(identity, store: store)
                return
            }
            if resume != nil { try refuseIfRunningElsewhere(name, store: store) }
            Console.line("run \(name)")
            try await optimize(
                spec: spec, train: train, validation: validation, metric: metric, store: store, identity: identity)
        }
    }

    /// Creates the run and continues it in a background `dspex compile … --resume NAME`.
    private func startDetached(_ identity: Evaluate.Run, store: Store) throws {
        try OptimizationJob.create(identity, in: store)
        let logs = URL(fileURLWithPath: storeOptions.path).deletingLastPathComponent().appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("\(identity.name).log").path
        let arguments =
            ["compile"] + RunArguments.resumable() + ["--resume", identity.name]
            + (storeOptions.store.map { ["--store", $0] } ?? [])
        let pid = try BackgroundProcess.spawn(arguments: arguments, log: log)
        Console.line("run \(identity.name)")
        Console.error("optimizing in the background (pid \(pid)); log: \(log)")
        Console.error("watch with `dspex runs`, stop with `dspex cancel \(identity.name)`" + storeSuffix)
    }

    private func optimize(
        spec: PipelineSpec, train: [Example], validation: [Example]?, metric: Metric, store: Store,
        identity: Evaluate.Run
    ) async throws {
        let started = ContinuousClock.now
        let cache = model.noCache ? nil : PersistentLMCache(store: store)
        let outcome: Result<(Graph, OptimizationProgress), any Error>
        do {
            outcome = .success(
                try await Interrupts.cancellingOnSignal { [self] in
                    try await model.withLanguageModel(file: spec.lm, cache: cache) { lm in
                        let program = try spec.makeGraph(lm: lm)
                        let job = try OptimizationJob.open(
                            makeOptimizer(metric: metric, lm: lm), program: program, trainset: train,
                            valset: validation, store: store, run: identity)
                        if let runID = job.runID {
                            try CompileJournal(store: store, runID: runID).record(
                                ["pid": .int(Int(getpid()))], for: "process")
                        }
                        // The printer ends with the job's events, which end when run() returns or throws.
                        async let last = CompileProgressPrinter().print(job.events)
                        let optimized = try await job.run()
                        return (optimized, await last)
                    }
                })
        } catch {
            outcome = .failure(error)
        }
        try await cache?.flush()
        let (optimized, last): (Graph, OptimizationProgress)
        do {
            (optimized, last) = try outcome.get()
        } catch is CancellationError {
            Console.error("stopped; resume with: dspex resume \(identity.name)" + storeSuffix)
            throw ExitCode(130)
        } catch let error as LMError where error.stopsRun {
            Console.error("error: \(error)")
            Console.error("stopped (\(RunSummary.StopReason.stopping(for: error))); resume with: dspex resume "
                + identity.name + storeSuffix)
            throw ExitCode(error.isRunFatal ? 4 : 3)
        }
        let elapsed = ContinuousClock.now - started
        if let best = last.bestScore { Console.line(String(format: "best score %.2f%%", best * 100)) }
        Console.line(
            "compiled with \(optimizer.rawValue) in \(String(format: "%.1f", elapsed.seconds)) s: \(last.lmCalls) LM "
                + "calls, \(last.tokens) tokens"
                + (last.replayedResults > 0 ? ", \(last.replayedResults) results reused" : ""))
        if let out {
            try optimized.save(to: URL(fileURLWithPath: out))
            Console.line("wrote \(out)")
        } else {
            Console.line(optimized.savedState().jsonString(.pretty(indent: 2)))
        }
    }

    private func makeOptimizer(metric: Metric, lm: any LanguageModel) -> any Optimizer {
        switch optimizer {
        case .labeled:
            return LabeledFewShot(k: maxDemos ?? 16, seed: seed ?? 0)
        case .bootstrap:
            return BootstrapFewShot(
                metric: metric, maxBootstrappedDemos: maxBootstrappedDemos, maxLabeledDemos: maxDemos ?? 16,
                concurrency: concurrency, seed: seed ?? 0)
        case .randomSearch:
            return BootstrapFewShotWithRandomSearch(
                metric: metric, maxBootstrappedDemos: maxBootstrappedDemos, maxLabeledDemos: maxDemos ?? 16,
                numCandidatePrograms: numCandidatePrograms, concurrency: concurrency)
        case .mipro:
            return MIPROv2(
                metric: metric, promptModel: lm, auto: auto, maxBootstrappedDemos: maxBootstrappedDemos,
                maxLabeledDemos: maxDemos ?? 4, seed: seed ?? 9, concurrency: concurrency)
        case .copro:
            return COPRO(metric: metric, promptModel: lm, breadth: breadth, depth: depth, concurrency: concurrency)
        }
    }

    /// A run still being optimized by a live process is not resumed a second time alongside it.
    private func refuseIfRunningElsewhere(_ name: String, store: Store) throws {
        guard let record = try store.run(named: name), let id = record.id, record.status == RunRecord.Status.running,
            let pid = try CompileJournal(store: store, runID: id).value(for: "process")?["pid"]?.intValue,
            pid_t(pid) != getpid(), BackgroundProcess.isAlive(pid_t(pid))
        else { return }
        throw EvaluateError(
            code: .runExists,
            message: "run '\(name)' is being optimized by process \(pid); stop it with `dspex cancel \(name)` first")
    }

    private var storeSuffix: String { storeOptions.store.map { " --store \($0)" } ?? "" }

}

/// The optimizers `dspex compile` offers.
enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable {
    case labeled
    case bootstrap
    case randomSearch = "random-search"
    case mipro
    case copro
}

extension MIPROv2.Auto: ExpressibleByArgument {}

/// Prints optimization progress on standard error: a line when the stage or trial changes, at most a few a
/// second otherwise.
struct CompileProgressPrinter {
    /// Prints until `events` ends; returns the last snapshot.
    func print(_ events: AsyncStream<OptimizationProgress>) async -> OptimizationProgress {
        var last = OptimizationProgress()
        var printed: (stage: String, trial: Int?, detail: String)?
        var lastTime = ContinuousClock.now - .seconds(1)
        for await progress in events {
            last = progress
            let changed =
                printed == nil || printed?.stage != progress.stage || printed?.trial != progress.trial
                || (printed?.detail != progress.detail && ContinuousClock.now - lastTime > .milliseconds(500))
            guard changed else { continue }
            Console.error(progress.description)
            printed = (progress.stage, progress.trial, progress.detail)
            lastTime = ContinuousClock.now
        }
        return last
    }
}
