import ArgumentParser
import DSPEx
import Foundation

/// `dspex compile`: optimize a pipeline's prompts from a training set and write the program as JSON.
struct CompileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Optimize a pipeline's demos from a training set and write the program in DSPy's JSON layout.",
        discussion: """
            Optimizers available now: labeled (LabeledFewShot), bootstrap (BootstrapFewShot), random-search
            (BootstrapFewShotWithRandomSearch; scores candidates on --valset, else the trainset). The result is written
            with --out and used by `dspex run` and `dspex eval` with --program.
            Example:
              dspex compile pipelines/arithmetic.yaml --optimizer bootstrap --trainset data/arithmetic_train.jsonl \\
                  --valset data/arithmetic_dev.jsonl --out program.json
            """)

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(help: "labeled, bootstrap or random-search.")
    var optimizer: OptimizerChoice = .bootstrap

    @Option(help: "The training set (JSONL or CSV).")
    var trainset: String

    @Option(help: "A validation set to report the score before and after.")
    var valset: String?

    @Option(help: "The seed for every random choice.")
    var seed: UInt64 = 0

    @Option(help: "Write the optimized program here (JSON, DSPy's layout).")
    var out: String?

    @Option(help: "The most demos per predictor (labeled: k; bootstrap: max labeled demos).")
    var maxDemos: Int = 16

    @Option(help: "bootstrap: the most bootstrapped demos per predictor.")
    var maxBootstrappedDemos: Int = 4

    @OptionGroup var model: LanguageModelOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let spec = try PipelineFile.load(path: pipeline)
            let inputs = DatasetOptions.inputFields(of: spec)
            let train = try await Dataset(
                url: URL(fileURLWithPath: trainset), configuration: .init(inputKeys: inputs, requiredFields: inputs)
            ).examples()
            var validation: [Example]?
            if let valset {
                validation = try await Dataset(
                    url: URL(fileURLWithPath: valset), configuration: .init(inputKeys: inputs, requiredFields: inputs)
                ).examples()
            }
            let metric = try Metric.named(
                spec.metric?.name ?? "exact_match", field: spec.metric?.field ?? spec.outputs.first?.name,
                label: spec.metric?.label)
            let validationSet = validation
            let optimized = try await model.withLanguageModel(file: spec.lm) { lm in
                let program = try spec.makeGraph(lm: lm)
                let optimizer: any Optimizer
                switch self.optimizer {
                case .labeled:
                    optimizer = LabeledFewShot(k: maxDemos, seed: seed)
                case .bootstrap:
                    optimizer = BootstrapFewShot(
                        metric: metric, maxBootstrappedDemos: maxBootstrappedDemos, maxLabeledDemos: maxDemos,
                        seed: seed)
                case .randomSearch:
                    optimizer = BootstrapFewShotWithRandomSearch(
                        metric: metric, maxBootstrappedDemos: maxBootstrappedDemos, maxLabeledDemos: maxDemos)
                }
                if let validation = validationSet {
                    let before = try await Evaluate(metric: metric).evaluate(program, on: ExampleList(validation))
                    Console.error(String(format: "valset score before: %.2f%%", before.percentage))
                }
                let started = ContinuousClock.now
                let optimized = try await optimizer.compile(program, trainset: train, valset: validationSet)
                Console.error("compiled with \(type(of: optimizer)) in \(ContinuousClock.now - started)")
                if let validation = validationSet {
                    let after = try await Evaluate(metric: metric).evaluate(optimized, on: ExampleList(validation))
                    Console.line(String(format: "valset score after: %.2f%%", after.percentage))
                }
                return optimized
            }
            if let out {
                try optimized.save(to: URL(fileURLWithPath: out))
                Console.line("wrote \(out)")
            } else {
                print(optimized.savedState().jsonString(.pretty(indent: 2)))
            }
        }
    }
}

/// The optimizers `dspex compile` offers.
enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable {
    case labeled
    case bootstrap
    case randomSearch = "random-search"
}
