import Foundation

/// Coordinate ascent on instructions — DSPy's `COPRO`.
///
/// For each predictor in turn, a prompt model proposes `breadth - 1` variations of its instruction (the current
/// one is kept as a candidate); each candidate is scored on the training set with the other predictors at their
/// best so far, and the predictor takes the best. For `depth` rounds, the prompt model then sees the best
/// attempts with their scores (worst to best) and proposes `breadth` new ones. Demos are not changed.
///
/// Proposals are separate calls with distinct rollout ids (many servers refuse `n > 1`), each recorded in the
/// journal, so a resumed run asks nothing twice.
///
/// ```swift
/// let optimized = try await COPRO(metric: .exactMatch(), promptModel: lm, breadth: 4, depth: 2)
///     .compile(program, trainset: train)
/// ```
public struct COPRO: Optimizer {
    /// Scores predictions.
    public var metric: Metric
    /// The model that proposes instructions; `nil` uses the task-local model (`withLM`).
    public var promptModel: (any LanguageModel)?
    /// Candidates per predictor per round.
    public var breadth: Int
    /// Rounds of proposals.
    public var depth: Int
    /// The prompt model's temperature.
    public var initTemperature: Double
    /// Examples run at once per stage.
    public var concurrency: Int
    /// Chooses the proposals' samples: every proposal call carries a rollout id derived from it, so another seed
    /// asks the prompt model for fresh samples (and the cache keeps them apart) while the same seed reproduces a
    /// run. DSPy's COPRO has no seed; the default 0 sends its rollout ids 1 ... breadth.
    public var seed: UInt64

    /// Creates the optimizer with DSPy's defaults.
    public init(
        metric: Metric, promptModel: (any LanguageModel)? = nil, breadth: Int = 10, depth: Int = 3,
        initTemperature: Double = 1.4, concurrency: Int = 16, seed: UInt64 = 0
    ) {
        self.seed = seed
        self.metric = metric
        self.promptModel = promptModel
        self.breadth = breadth
        self.depth = depth
        self.initTemperature = initTemperature
        self.concurrency = concurrency
    }

    /// Evaluates candidates on `valset` when given, else on the training set (DSPy scores on the training set).
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
        guard breadth > 1 else {
            throw OptimizeError(code: .invalidOptions, message: "COPRO needs a breadth greater than 1, got \(breadth)")
        }
        guard let promptModel = promptModel ?? LMContext.languageModel else {
            throw OptimizeError(
                code: .invalidOptions,
                message:
                    "COPRO needs a prompt model to propose instructions: pass promptModel: or run inside withLM(_:)")
        }
        let examples = valset ?? trainset
        guard !examples.isEmpty else {
            throw OptimizeError(code: .invalidOptions, message: "the training set is empty")
        }
        let step = JournaledStep(context: context, metric: metric, concurrency: concurrency)
        var current = program
        var evaluated: [String: [(instruction: String, score: Double)]] = [:]
        var latest: [String: [String]] = [:]
        for predictor in program.namedPredictors {
            let basic = predictor.state.signature.instructions
            let proposals = try await propose(
                "copro/initial/\(predictor.name)", count: breadth - 1, promptModel: promptModel, context: context,
                signature: "basic_instruction -> proposed_instruction",
                instructions: """
                    You are an instruction optimizer for large language models. I will give you a signature of \
                    fields (inputs and outputs) in English. Your task is to propose an instruction that will lead a \
                    good language model to perform the task well. Don't be afraid to be creative.
                    """,
                inputs: ["basic_instruction": .string(basic)])
            latest[predictor.name] = Self.unique([basic] + proposals)
        }
        let names = program.namedPredictors.map(\.name)
        for round in 0..<max(1, depth) {
            for (position, name) in names.enumerated() {
                let candidates = latest[name] ?? []
                for (number, instruction) in candidates.enumerated()
                where !(evaluated[name] ?? []).contains(where: { $0.instruction == instruction }) {
                    context.enter(
                        "search",
                        detail: "round \(round + 1) of \(depth), predictor \(position + 1) of \(names.count), "
                            + "candidate \(number + 1) of \(candidates.count)")
                    let trial = try with(current, predictor: name, instruction: instruction)
                    let score = try await step.meanScore(of: trial, on: examples)
                    evaluated[name, default: []].append((instruction, score))
                    let best = evaluated.values.flatMap { $0 }.map(\.score).max()
                    context.update {
                        $0.trial = ($0.trial ?? 0) + 1
                        $0.score = score
                        $0.bestScore = best
                    }
                }
                if let best = Self.best(evaluated[name] ?? []) {
                    current = try with(current, predictor: name, instruction: best.instruction)
                }
                guard round < depth - 1 else { continue }
                let attempts = (evaluated[name] ?? []).sorted { $0.score > $1.score }.prefix(breadth).reversed()
                let shown = attempts.enumerated().map { index, attempt in
                    "Instruction #\(index + 1): \(attempt.instruction)\n"
                        + "Resulting Score #\(index + 1): \(String(format: "%.3f", attempt.score))"
                }.joined(separator: "\n")
                let proposals = try await propose(
                    "copro/round-\(round + 1)/\(name)", count: breadth, promptModel: promptModel, context: context,
                    signature: "attempted_instructions -> proposed_instruction",
                    instructions: """
                        You are an instruction optimizer for large language models. I will give some task \
                        instructions I've tried, along with their corresponding validation scores. The instructions \
                        are arranged in increasing order based on their scores, where higher scores indicate better \
                        quality. Your task is to propose a new instruction that will lead a good language model to \
                        perform the task even better. Don't be afraid to be creative.
                        """,
                    inputs: ["attempted_instructions": .string(shown)])
                latest[name] = Self.unique(proposals)
            }
        }
        var final = program
        for name in names {
            if let best = Self.best(evaluated[name] ?? []) {
                final = try with(final, predictor: name, instruction: best.instruction)
            }
        }
        let finalScore = try await step.meanScore(of: final, on: examples)
        try await context.journal.record(["score": .double(finalScore), "program": final.savedState()], for: "result")
        context.update {
            $0.stage = "done"
            $0.bestScore = finalScore
        }
        return final
    }

    /// `count` proposals, each a separate recorded call with its own rollout id.
    private func propose(
        _ key: String, count: Int, promptModel: any LanguageModel, context: OptimizationContext, signature: String,
        instructions: String, inputs: [String: Value]
    ) async throws -> [String] {
        context.enter("propose", detail: key)
        var proposals: [String] = []
        for index in 0..<count {
            let value = try await context.journal.memo("proposer/\(key)/\(index)") {
                let predict = try Predict(
                    signature, instructions: instructions, lm: promptModel,
                    options: LMOptions(temperature: initTemperature, rolloutID: rolloutID(index)))
                // An unparseable reply is no proposal (recorded so a resume agrees); its calls are counted anyway.
                let prediction: Prediction?
                do {
                    prediction = try await predict(.init(uniqueKeysWithValues: inputs.sorted { $0.key < $1.key }))
                } catch is AdapterError {
                    prediction = nil
                }
                return .string(prediction?["proposed_instruction"]?.plainText ?? "")
            }
            let text = GroundedProposer.clean(value.stringValue ?? "")
            if !text.isEmpty { proposals.append(text) }
        }
        return proposals
    }

    /// The rollout id of the `index`th proposal of a round under this seed.
    private func rolloutID(_ index: Int) -> Int {
        Int(truncatingIfNeeded: seed % 1_000_000) * 10_000 + index + 1
    }

    /// `program` with one predictor's instruction replaced.
    private func with(_ program: Graph, predictor name: String, instruction: String) throws -> Graph {
        guard var state = program.namedPredictors.first(where: { $0.name == name })?.state else { return program }
        state.signature = state.signature.with(instructions: instruction)
        return try program.withPredictorStates([name: state])
    }

    /// The best-scoring attempt; ties keep the earlier one.
    private static func best(_ attempts: [(instruction: String, score: Double)]) -> (
        instruction: String, score: Double
    )? {
        attempts.reduce(nil) { best, attempt in
            guard let best else { return attempt }
            return attempt.score > best.score ? attempt : best
        }
    }

    private static func unique(_ instructions: [String]) -> [String] {
        var seen = Set<String>()
        return instructions.filter { seen.insert($0).inserted }
    }
}
