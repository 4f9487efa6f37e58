import ArgumentParser
import DSPEx
import DSPExProcess
import Foundation

/// `dspex compile`: optimize a pipeline's prompts from a training set, as a stored, resumable run, and write the
/// program as JSON.
struct CompileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Optimize a pipeline's instructions and demos; the run is stored, resumable and can run detached.",
        discussion: """
            Optimizers: labeled (LabeledFewShot), bootstrap (BootstrapFewShot), random-search
            (BootstrapFewShotWithRandomSearch), mipro (MIPROv2, with --auto light|medium|heavy), copro (COPRO),
            simba (SIMBA, with --bsize, --num-candidates, --max-steps), gepa (GEPA, with --auto or
            --max-metric-calls or --max-full-evals, --reflection-minibatch-size). The model that proposes instructions and
            rules is the task model unless --reflection-lm names another (at --reflection-base-url, its key in
            --reflection-api-key-env; unset settings are the task model's).
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

    @Option(help: "labeled, bootstrap, random-search, mipro, copro, simba or gepa.")
    var optimizer: OptimizerPlan.Name = .bootstrap

    @Option(help: "The training set (JSONL or CSV).")
    var trainset: String

    @Option(help: "The validation set candidates are chosen on (default: the optimizer's, as in DSPy).")
    var valset: String?

    @Option(help: "mipro, gepa: the preset budget, light, medium or heavy.")
    var auto: MIPROv2.Auto = .light

    @Option(help: "The seed of every optimizer's random choices (mipro's default is DSPy's 9; others 0).")
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

    @Option(help: "simba: examples per minibatch (default 32).")
    var bsize: Int?

    @Option(help: "simba: candidate programs per step (default 6).")
    var numCandidates: Int?

    @Option(help: "simba: steps (default 8).")
    var maxSteps: Int?

    @Option(help: "gepa: the budget in metric calls (instead of --auto).")
    var maxMetricCalls: Int?

    @Option(help: "gepa: the budget in full validation evaluations (instead of --auto).")
    var maxFullEvals: Int?

    @Option(help: "gepa: examples per reflection minibatch (default 3).")
    var reflectionMinibatchSize: Int?

    @Option(
        help: ArgumentHelp(
            "gepa: how the reflection model is asked: dspy (DSPy's ProposeInstruction, JSON) or gepa (gepa's "
                + "plain-text template).", valueName: "dspy|gepa"))
    var reflectionPrompt: String?

    @Flag(help: "gepa: do not merge Pareto candidates (DSPy's use_merge=False).")
    var noMerge = false

    @Option(help: "The model that proposes instructions and rules (default: the task model).")
    var reflectionLm: String?

    @Option(help: "The reflection model's API root (default: the task model's).")
    var reflectionBaseUrl: String?

    @Option(help: "The environment variable holding the reflection model's API key (never stored).")
    var reflectionApiKeyEnv: String?

    @Option(help: "The reflection model's sampling temperature.")
    var reflectionTemperature: Double?

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var model: LanguageModelOptions

    func validate() throws {
        if run != nil && resume != nil { throw ValidationError("use either --run NAME or dspex resume NAME") }
        if detach && resume != nil { throw ValidationError("--detach starts a run; resume it with dspex resume") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        let counts = [
            ("--bsize", bsize), ("--num-candidates", numCandidates), ("--max-steps", maxSteps),
            ("--max-metric-calls", maxMetricCalls), ("--max-full-evals", maxFullEvals),
            ("--reflection-minibatch-size", reflectionMinibatchSize),
        ]
        if let reflectionPrompt, !["dspy", "gepa"].contains(reflectionPrompt) {
            throw ValidationError("--reflection-prompt must be dspy or gepa, not '\(reflectionPrompt)'")
        }
        if maxMetricCalls != nil && maxFullEvals != nil {
            throw ValidationError("use either --max-metric-calls or --max-full-evals, not both")
        }
        for (flag, value) in counts {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1") }
        }
    }

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try await storeOptions.open()
            let plan = self.plan
            let name: String
            if let given = resume ?? run {
                name = given
            } else {
                name = try await Run.defaultName(for: plan, in: store)
            }
            if detach {
                try await startDetached(plan, named: name, store: store)
                return
            }
            let presenter = RunPresenter(storeSuffix: storeOptions.suffix, json: false, announcesName: true)
            try await presenter.present(plan, named: name, resuming: resume != nil, store: store, out: out)
        }
    }

    /// The run these flags ask for.
    var plan: RunPlan {
        RunPlan(
            kind: .compile, pipeline: pipeline, data: trainset, valset: valset, lm: model.overrides,
            simulator: model.simulator, cache: !model.noCache,
            optimizer: OptimizerPlan(
                name: optimizer, seed: seed, auto: auto, maxDemos: maxDemos,
                maxBootstrappedDemos: maxBootstrappedDemos, numCandidatePrograms: numCandidatePrograms,
                breadth: breadth, depth: depth, concurrency: concurrency, bsize: bsize, numCandidates: numCandidates,
                maxSteps: maxSteps, reflectionLM: reflectionOverrides, maxMetricCalls: maxMetricCalls,
                maxFullEvals: maxFullEvals, reflectionMinibatchSize: reflectionMinibatchSize,
                useMerge: noMerge ? false : nil, reflectionPrompt: reflectionPrompt),
            out: out)
    }

    /// The reflection model's flags, or `nil` when none is given (the task model reflects).
    var reflectionOverrides: LMOverrides? {
        guard
            reflectionLm != nil || reflectionBaseUrl != nil || reflectionApiKeyEnv != nil
                || reflectionTemperature != nil
        else { return nil }
        return LMOverrides(
            model: reflectionLm, baseURL: reflectionBaseUrl, apiKeyEnvironmentVariable: reflectionApiKeyEnv,
            temperature: reflectionTemperature)
    }

    /// Creates the run and continues it in a background `dspex resume NAME`.
    private func startDetached(_ plan: RunPlan, named name: String, store: any Store) async throws {
        try await Run.create(plan, named: name, in: store)
        let logs = storeOptions.logsFolder
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let log = logs.appendingPathComponent("\(name).log").path
        let arguments = ["resume", name] + (storeOptions.store.map { ["--store", $0] } ?? [])
        let pid = try SpawnedProcess.startDetached(SpawnedProcess.currentExecutable, arguments, log: log)
        Console.line("run \(name)")
        Console.error("optimizing in the background (pid \(pid)); log: \(log)")
        Console.error("watch with `dspex runs`, stop with `dspex cancel \(name)`" + storeOptions.suffix)
    }
}

extension OptimizerPlan.Name: ExpressibleByArgument {}

extension MIPROv2.Auto: ExpressibleByArgument {}
