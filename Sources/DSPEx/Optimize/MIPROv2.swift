import Foundation
import OrderedCollections

/// Optimizes instructions and demos together — DSPy's `MIPROv2`.
///
/// 1. **Demo sets.** Bootstraps `auto.candidates` demo-set candidates per predictor, as DSPy's
///    `create_n_fewshot_demo_sets` does: none, labeled only, an unshuffled bootstrap, and seeded shuffled
///    bootstraps of random size (see ``BootstrapFewShotWithRandomSearch/candidates()``).
/// 2. **Instructions.** A prompt model proposes instruction candidates per predictor, grounded on a summary of the
///    training data, the program's structure and a description of each predictor's role, sampled demos and a
///    random ``InstructionTip``. Candidate 0 is the current instruction.
/// 3. **Search.** A seeded ``TPESampler`` picks an (instruction, demo set) per predictor for each trial; trials
///    score on minibatches of the validation set, and every `minibatchFullEvalSteps` trials the combination with
///    the best mean minibatch score is evaluated on the whole validation set. The best fully evaluated program
///    wins; the default program's full score is the first trial.
///
/// Every proposal, trial and example outcome is recorded in the context's journal, so an ``OptimizationJob``
/// killed at any point resumes to the same program.
///
/// ```swift
/// let optimized = try await withLM(lm) {
///     try await MIPROv2(metric: .exactMatch(), auto: .light).compile(program, trainset: train, valset: dev)
/// }
/// ```
public struct MIPROv2: Optimizer {
    /// Scores predictions.
    public var metric: Metric
    /// The model that proposes instructions; `nil` uses the task-local model (`withLM`).
    public var promptModel: (any LanguageModel)?
    /// The preset budget, or `nil` to give ``numCandidates`` and ``numTrials``.
    public var auto: Auto?
    /// Candidates per predictor when ``auto`` is `nil`.
    public var numCandidates: Int?
    /// Search trials when ``auto`` is `nil`.
    public var numTrials: Int?
    /// The most bootstrapped demos per predictor.
    public var maxBootstrappedDemos: Int
    /// The most labeled demos per predictor.
    public var maxLabeledDemos: Int
    /// A bootstrapped prediction is accepted when its score reaches this; `nil` accepts any score above 0.
    public var metricThreshold: Double?
    /// The seed of every random choice (DSPy's default is 9).
    public var seed: UInt64
    /// The prompt model's temperature for proposals.
    public var initTemperature: Double
    /// Score trials on minibatches (used when the validation set has more than 50 examples under ``auto``).
    public var minibatch: Bool
    /// Examples per minibatch.
    public var minibatchSize: Int
    /// Trials between full evaluations.
    public var minibatchFullEvalSteps: Int
    /// Examples per batch the dataset summarizer reads.
    public var viewDataBatchSize: Int
    /// Examples run at once per stage.
    public var concurrency: Int

    /// Creates the optimizer with DSPy's defaults.
    public init(
        metric: Metric, promptModel: (any LanguageModel)? = nil, auto: Auto? = .light, numCandidates: Int? = nil,
        numTrials: Int? = nil, maxBootstrappedDemos: Int = 4, maxLabeledDemos: Int = 4,
        metricThreshold: Double? = nil, seed: UInt64 = 9, initTemperature: Double = 0.5, minibatch: Bool = true,
        minibatchSize: Int = 35, minibatchFullEvalSteps: Int = 5, viewDataBatchSize: Int = 10,
        concurrency: Int = 16
    ) {
        self.metric = metric
        self.promptModel = promptModel
        self.auto = auto
        self.numCandidates = numCandidates
        self.numTrials = numTrials
        self.maxBootstrappedDemos = maxBootstrappedDemos
        self.maxLabeledDemos = maxLabeledDemos
        self.metricThreshold = metricThreshold
        self.seed = seed
        self.initTemperature = initTemperature
        self.minibatch = minibatch
        self.minibatchSize = minibatchSize
        self.minibatchFullEvalSteps = minibatchFullEvalSteps
        self.viewDataBatchSize = viewDataBatchSize
        self.concurrency = concurrency
    }

    /// Whether only instructions are optimized (no demos allowed).
    public var isZeroShot: Bool { maxBootstrappedDemos == 0 && maxLabeledDemos == 0 }

    /// The budget for `program` with `validationCount` validation examples (after ``auto``'s sampling).
    public func plan(for program: Graph, validationCount: Int) throws -> Plan {
        let predictors = program.namedPredictors.count
        let demoCandidates: Int
        let instructionCandidates: Int
        let trials: Int
        var minibatch = self.minibatch
        if let auto {
            guard numCandidates == nil, numTrials == nil else {
                throw OptimizeError(
                    code: .invalidOptions,
                    message: "with auto \(auto.rawValue), numCandidates and numTrials are set by the preset; "
                        + "leave them out or set auto to nil")
            }
            demoCandidates = auto.candidates
            instructionCandidates = isZeroShot ? auto.candidates : auto.candidates / 2
            trials = Self.trials(predictors: predictors, candidates: auto.candidates, zeroShot: isZeroShot)
            minibatch = validationCount > 50
        } else {
            guard let numCandidates, let numTrials else {
                throw OptimizeError(
                    code: .invalidOptions,
                    message: "without auto, give both numCandidates and numTrials (about "
                        + "\(Self.trials(predictors: predictors, candidates: numCandidates ?? 6, zeroShot: isZeroShot)) "
                        + "trials suit \(numCandidates ?? 6) candidates)")
            }
            demoCandidates = numCandidates
            instructionCandidates = numCandidates
            trials = numTrials
        }
        if minibatch, minibatchSize > validationCount {
            throw OptimizeError(
                code: .invalidOptions,
                message: "the minibatch size (\(minibatchSize)) exceeds the validation set (\(validationCount) "
                    + "examples); lower minibatchSize or turn minibatch off")
        }
        return Plan(
            demoCandidates: max(1, demoCandidates), instructionCandidates: max(1, instructionCandidates),
            trials: max(0, trials), minibatch: minibatch,
            reportedTrials: Self.reportedTrials(
                trials: trials, fullEvalSteps: minibatchFullEvalSteps, minibatch: minibatch))
    }

    /// DSPy's split when no validation set is given: the last 80% of the training set (at most 1,000) validates.
    public static func split(trainset: [Example], valset: [Example]?) throws -> (
        train: [Example], validation: [Example]
    ) {
        guard !trainset.isEmpty else {
            throw OptimizeError(code: .invalidOptions, message: "the training set is empty")
        }
        if let valset {
            guard !valset.isEmpty else {
                throw OptimizeError(code: .invalidOptions, message: "the validation set is empty")
            }
            return (trainset, valset)
        }
        guard trainset.count >= 2 else {
            throw OptimizeError(
                code: .invalidOptions, message: "without a validation set the training set needs at least 2 examples")
        }
        let size = min(1000, max(1, Int(Double(trainset.count) * 0.8)))
        return (Array(trainset.prefix(trainset.count - size)), Array(trainset.suffix(size)))
    }

    public func compile(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        try await context.recording {
            try await optimize(program, trainset: trainset, valset: valset, context: context)
        }
    }

    private func optimize(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        guard let promptModel = promptModel ?? LMContext.languageModel else {
            throw OptimizeError(
                code: .invalidOptions,
                message: "MIPROv2 needs a prompt model to propose instructions: pass promptModel: or run inside "
                    + "withLM(_:)")
        }
        var (train, validation) = try Self.split(trainset: trainset, valset: valset)
        var generator = SeededGenerator(seed: seed)
        if let auto {
            validation = generator.sample(validation, count: min(auto.validationSize, validation.count))
        }
        let plan = try plan(for: program, validationCount: validation.count)
        if train.isEmpty { train = validation }

        context.enter("bootstrap", detail: "\(plan.demoCandidates) demo-set candidates per predictor")
        let demoSets = try await demoSetCandidates(
            program, trainset: train, count: plan.demoCandidates, context: context)

        context.enter("propose", detail: "\(plan.instructionCandidates) instruction candidates per predictor")
        let proposer = GroundedProposer(
            promptModel: promptModel, context: context, viewDataBatchSize: viewDataBatchSize,
            temperature: initTemperature)
        let instructions = try await proposer.propose(
            for: program, trainset: train, demoSets: demoSets, count: plan.instructionCandidates,
            generator: &generator)
        for (predictor, candidates) in instructions.sorted(by: { $0.key < $1.key }) {
            try await context.journal.record(
                .array(candidates.map(Value.string)), for: "candidate/instructions/\(predictor)")
        }

        let search = PromptSearch(
            program: program, instructions: instructions, demoSets: isZeroShot ? [:] : demoSets, plan: plan,
            validation: validation, minibatchSize: minibatchSize, fullEvalSteps: minibatchFullEvalSteps, seed: seed,
            step: JournaledStep(context: context, metric: metric, concurrency: concurrency), context: context)
        return try await search.run(generator: &generator)
    }

    /// Demo-set candidates per predictor, built as DSPy's `create_n_fewshot_demo_sets`.
    private func demoSetCandidates(
        _ program: Graph, trainset: [Example], count: Int, context: OptimizationContext
    ) async throws -> [String: [[Example]]] {
        let builder = BootstrapFewShotWithRandomSearch(
            metric: metric, metricThreshold: metricThreshold,
            maxBootstrappedDemos: isZeroShot ? 3 : maxBootstrappedDemos,
            maxLabeledDemos: isZeroShot ? 0 : maxLabeledDemos,
            numCandidatePrograms: max(0, count - 3), concurrency: concurrency, seed: seed)
        var sets: [String: [[Example]]] = [:]
        let candidates = Array(builder.candidates().prefix(count))
        for (number, candidate) in candidates.enumerated() {
            context.enter("bootstrap", detail: "demo set \(number + 1) of \(candidates.count): \(candidate)")
            let built = try await builder.program(for: candidate, from: program, trainset: trainset, context: context)
            var recorded = OrderedDictionary<String, Value>()
            for predictor in built.namedPredictors {
                sets[predictor.name, default: []].append(predictor.state.demos)
                recorded[predictor.name] = .array(predictor.state.demos.map { .object($0.values) })
            }
            try await context.journal.record(
                ["candidate": .string(candidate.description), "demos": .object(recorded)],
                for: "candidate/demos/\(String(format: "%02d", number))")
        }
        return sets
    }
}
