import OrderedCollections

/// Stochastic introspective mini-batch ascent — DSPy's `SIMBA` (DSPy 3.4.1, `dspy/teleprompt/simba.py`).
///
/// Use it to improve a program's demos and instructions from the program's own behaviour: it looks for the
/// training examples on which the program's samples disagree most and learns from the best of them. For each of
/// `maxSteps` steps:
/// 1. the next `bsize` training examples of a seeded, epoch-wise shuffle form the minibatch;
/// 2. each example runs `numCandidates` times, once under each of `numCandidates` sampling settings (rollout
///    ids, temperature 1.0 — DSPy's `prepare_models_for_resampling`), each time with a program of the pool
///    picked by a softmax over the pool's minibatch scores (`temperatureForSampling`);
/// 3. the examples' runs form buckets, sorted by their max-to-min score gap, then max score, then max-to-average
///    gap, widest first;
/// 4. for each bucket in that order (until `numCandidates + 1` candidates are built), a source program is picked
///    by softmax (`temperatureForCandidates`), loses a Poisson-distributed number of demos, and gets a strategy
///    picked at random: `append_a_demo` (the best run's predictor calls become demos) or `append_a_rule` (the
///    prompt model compares the best and worst runs and advises each predictor — ``offerFeedback`` — and the
///    advice is appended to its instructions);
/// 5. the new candidates are scored on the minibatch and join the pool; the best is a winner of the step.
///
/// At the end, up to `numCandidates + 1` winners spread evenly over the steps (the student first) are scored on
/// the training set, and the best by average score is returned. ``optimize(_:trainset:valset:context:)`` also
/// returns DSPy's `candidate_programs` and `trial_logs` (``Outcome``).
///
/// Every run of the program is a step of the context's ``CompileJournal`` and every rule call a memoized value, so
/// an interrupted run resumes without paying for anything it finished, and ends with the program an uninterrupted
/// run would have.
///
/// Where DSPEx differs from DSPy, and why:
/// - The sampling settings are task-local (``LMContext/rolloutID`` and ``LMContext/samplingTemperature``, 1.0
///   over every predictor's own, as DSPy's `lm.copy(rollout_id=..., temperature=1.0)`). Rollout ids start at 0
///   for seed 0 (DSPy's), at a seed-derived offset for other seeds, so another seed asks for fresh samples.
/// - A validation set, when given, replaces the training set in the final selection (DSPy's SIMBA has none).
/// - The rule call's `program_code` (DSPy: the Python source of the program's class) describes the graph's
///   stages and predictors; Swift has no source at run time.
/// - There is no `teacher_settings`: a graph's stages carry their own models.
/// - Without a prompt model (`promptModel` or ``withLM(_:adapter:_:)``), compiling throws at once; DSPy would
///   skip every `append_a_rule` candidate.
///
/// ```swift
/// let optimized = try await SIMBA(metric: .exactMatch(), bsize: 16, maxSteps: 4, promptModel: lm)
///     .compile(program, trainset: train)
/// ```
public struct SIMBA: Optimizer {
    /// Scores predictions (0 for an example whose run or metric fails, as DSPy's `wrap_program` scores it).
    public var metric: Metric
    /// Examples per minibatch; the training set must have at least this many.
    public var bsize: Int
    /// Samples per example per step, and new candidates per step (one more at most).
    public var numCandidates: Int
    /// Steps of minibatch ascent.
    public var maxSteps: Int
    /// The demos a predictor holds before SIMBA starts dropping some; 0 disables `append_a_demo`.
    public var maxDemos: Int
    /// The model that writes rules; `nil` uses the task-local model (``withLM(_:adapter:_:)``).
    public var promptModel: (any LanguageModel)?
    /// The most characters of an input kept in a new demo (longer ones are truncated); 0 keeps all.
    public var demoInputFieldMaxlen: Int
    /// The softmax temperature for picking the program of each sampled run.
    public var temperatureForSampling: Double
    /// The softmax temperature for picking the source program of each new candidate.
    public var temperatureForCandidates: Double
    /// Examples run at once, at most (DSPy's `num_threads`).
    public var concurrency: Int
    /// Decides every random choice (shuffles, softmax picks, dropped demos, strategies) and the rollout ids.
    public var seed: UInt64

    /// Creates the optimizer with DSPy's defaults.
    ///
    /// - Parameters:
    ///   - metric: Scores predictions.
    ///   - bsize: Examples per minibatch.
    ///   - numCandidates: Samples per example and new candidates per step.
    ///   - maxSteps: Steps of minibatch ascent.
    ///   - maxDemos: The demos a predictor holds before some are dropped; 0 disables `append_a_demo`.
    ///   - promptModel: The model that writes rules; `nil` uses the task-local model.
    ///   - demoInputFieldMaxlen: The most characters of an input kept in a new demo.
    ///   - temperatureForSampling: The softmax temperature for picking programs to sample.
    ///   - temperatureForCandidates: The softmax temperature for picking source programs.
    ///   - concurrency: Examples run at once, at most.
    ///   - seed: Decides every random choice.
    public init(
        metric: Metric, bsize: Int = 32, numCandidates: Int = 6, maxSteps: Int = 8, maxDemos: Int = 4,
        promptModel: (any LanguageModel)? = nil, demoInputFieldMaxlen: Int = 100_000,
        temperatureForSampling: Double = 0.2, temperatureForCandidates: Double = 0.2, concurrency: Int = 16,
        seed: UInt64 = 0
    ) {
        self.metric = metric
        self.bsize = bsize
        self.numCandidates = numCandidates
        self.maxSteps = maxSteps
        self.maxDemos = maxDemos
        self.promptModel = promptModel
        self.demoInputFieldMaxlen = demoInputFieldMaxlen
        self.temperatureForSampling = temperatureForSampling
        self.temperatureForCandidates = temperatureForCandidates
        self.concurrency = concurrency
        self.seed = seed
    }

    /// Returns the best of the winners by average score on `valset` when given, else on the training set.
    public func compile(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Graph {
        try await optimize(program, trainset: trainset, valset: valset, context: context).program
    }

    /// Runs SIMBA and returns the best program with DSPy's `candidate_programs` and `trial_logs`.
    ///
    /// - Throws: ``OptimizeError`` for options that do not fit the data, `CancellationError` when cancelled (what
    ///   finished is recorded), or an LM error that stops the run.
    public func optimize(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Outcome {
        try await context.recording {
            try await ascend(program, trainset: trainset, valset: valset, context: context)
        }
    }

    private func ascend(
        _ program: Graph, trainset: [Example], valset: [Example]?, context: OptimizationContext
    ) async throws -> Outcome {
        let promptModel = try validated(trainset: trainset)
        var random = SeededGenerator(seed: seed)
        // DSPy draws the dropped-demo counts from a second generator (numpy's), seeded alike.
        var poisson = SeededGenerator(state: SeededGenerator.mix(seed ^ 0x51_4D_42_41_70_6F_69_73))
        var pool = Pool(baseline: program)
        var winners = [program]
        var order = Array(trainset.indices)
        Self.shuffle(&order, using: &random)
        var cursor = 0
        var trialLogs = OrderedDictionary<Int, OrderedDictionary<String, Value>>()
        let strategies: [Strategy] = maxDemos > 0 ? [.appendADemo, .appendARule] : [.appendARule]

        for step in 0..<maxSteps {
            trialLogs[step] = [:]
            // STEP 1: the next minibatch, reshuffling when the epoch runs out.
            if cursor + bsize > trainset.count {
                Self.shuffle(&order, using: &random)
                cursor = 0
            }
            let batch = order[cursor..<cursor + bsize].map { trainset[$0] }
            cursor += bsize

            // STEP 2: every example under every sampling setting, each with a program picked by softmax.
            context.enter(
                "sample", detail: "step \(step + 1) of \(maxSteps): \(bsize) examples × \(numCandidates) samples")
            let top = pool.topPlusBaseline(numCandidates)
            var picks: [[Int]] = []
            for _ in 0..<numCandidates {
                picks.append(batch.map { _ in pool.softmaxSample(top, temperature: temperatureForSampling, &random) })
            }
            let samples = try await sample(batch, picks: picks, pool: pool, step: step, context: context)

            // STEP 3: bucket the runs by example; widest gaps first.
            let allScores = samples.flatMap { $0.map(\.score) }
            let percentile10 = Self.percentile(allScores, 10)
            let percentile90 = Self.percentile(allScores, 90)
            let buckets = Self.buckets(samples)
            let baselineScore = allScores.reduce(0, +) / Double(max(1, allScores.count))

            // STEP 4: new candidates from the top buckets.
            context.enter("propose", detail: "step \(step + 1) of \(maxSteps)")
            let bounds = Bounds(percentile10: percentile10, percentile90: percentile90)
            var candidates: [Graph] = []
            var applied: [Value] = []
            for (number, bucket) in buckets.enumerated() {
                let source = pool.softmaxSample(
                    pool.topPlusBaseline(numCandidates), temperature: temperatureForCandidates, &random)
                var states = pool.programs[source].namedPredictors.reduce(into: [String: PredictorState]()) {
                    $0[$1.name] = $1.state
                }
                let dropped = dropDemos(from: &states, random: &random, poisson: &poisson)
                let strategy = strategies[random.next(below: strategies.count)]
                let base = try pool.programs[source].withPredictorStates(states)
                let candidate: Graph
                do {
                    candidate = try await apply(
                        strategy, bucket: bucket, to: base, bounds: bounds, promptModel: promptModel,
                        key: "simba/step-\(step)/rule/bucket-\(number)", context: context)
                } catch let failure as StrategyFailure {
                    // DSPy logs a failed strategy and moves on to the next bucket.
                    applied.append(["strategy": .string(strategy.name), "error": .string(failure.message)])
                    continue
                }
                applied.append([
                    "strategy": .string(strategy.name), "dropped_demos": .int(dropped),
                    "demos": .int(candidate.namedPredictors.reduce(0) { $0 + $1.state.demos.count }),
                ])
                candidates.append(candidate)
                if candidates.count >= numCandidates + 1 { break }
            }

            // STEP 5 and 6: the new candidates on the same minibatch.
            context.enter("evaluate", detail: "step \(step + 1) of \(maxSteps): \(candidates.count) candidates")
            let scoreLists = try await evaluate(candidates, on: batch, context: context)
            let candidateScores = scoreLists.map { $0.reduce(0, +) / Double(max(1, $0.count)) }

            // STEP 7 and 8: the step's winner, and every candidate into the pool.
            if let best = Self.firstMaximum(candidateScores) { winners.append(candidates[best]) }
            for (candidate, scores) in zip(candidates, scoreLists) { pool.register(candidate, scores: scores) }
            try await context.journal.record(
                [
                    "baseline_score": .double(baselineScore), "strategies": .array(applied),
                    "candidate_scores": .array(candidateScores.map(Value.double)),
                ], for: "simba/step-\(step)")
            context.update {
                $0.trial = step + 1
                $0.trials = maxSteps
                $0.score = candidateScores.max()
            }
        }
        return try await select(winners, trainset: valset ?? trainset, trialLogs: trialLogs, context: context)
    }

    /// The prompt model, once the options are known to fit the training set.
    private func validated(trainset: [Example]) throws -> any LanguageModel {
        guard bsize > 0, numCandidates > 0, maxSteps >= 0 else {
            throw OptimizeError(
                code: .invalidOptions,
                message: "SIMBA needs a positive bsize and numCandidates and a maxSteps of 0 or more, got bsize "
                    + "\(bsize), numCandidates \(numCandidates), maxSteps \(maxSteps)")
        }
        guard trainset.count >= bsize else {
            throw OptimizeError(
                code: .invalidOptions,
                message: "the training set is too small for SIMBA: \(trainset.count) examples < bsize \(bsize)")
        }
        guard let promptModel = promptModel ?? LMContext.languageModel else {
            throw OptimizeError(
                code: .invalidOptions,
                message: "SIMBA needs a prompt model to write rules: pass promptModel: or run inside withLM(_:)")
        }
        return promptModel
    }

    /// DSPy's final validation: up to `numCandidates + 1` winners spread evenly from the student to the last
    /// step's, each scored on `examples`; the best (the first of equals) is returned.
    private func select(
        _ winners: [Graph], trainset examples: [Example],
        trialLogs: OrderedDictionary<Int, OrderedDictionary<String, Value>>, context: OptimizationContext
    ) async throws -> Outcome {
        let last = winners.count - 1
        let slots = numCandidates + 1
        var indices: [Int] = []
        for slot in 0..<slots {
            let index = last < 1 ? 0 : Int((Double(slot * last) / Double(slots - 1)).rounded(.toNearestOrEven))
            if !indices.contains(index) { indices.append(index) }
        }
        let programs = indices.map { winners[$0] }
        context.enter("validate", detail: "\(programs.count) programs on \(examples.count) examples")
        let scoreLists = try await evaluate(programs, on: examples, context: context)
        let scores = scoreLists.map { $0.isEmpty ? 0 : $0.reduce(0, +) / Double($0.count) }
        var logs = trialLogs
        for (index, score) in scores.enumerated() where index != 0 {
            // DSPy's bookkeeping, kept: the score of the i-th validated program goes to trial i - 1.
            logs[index - 1, default: [:]]["train_score"] = .double(score)
        }
        let best = Self.firstMaximum(scores) ?? 0
        let ranked = Self.stableSorted(Array(zip(scores, programs))) { $0.0 > $1.0 }
            .map { Outcome.Candidate(score: $0.0, program: $0.1) }
        let outcome = Outcome(
            program: programs[best], score: scores.isEmpty ? 0 : scores[best], candidatePrograms: ranked,
            trialLogs: logs)
        try await context.journal.record(
            [
                "score": .double(outcome.score), "program": outcome.program.savedState(),
                "candidate_programs": .array(
                    ranked.map { ["score": .double($0.score), "program": $0.program.savedState()] }),
                "trial_logs": outcome.trialLogsValue,
            ], for: "result")
        context.update {
            $0.stage = "done"
            $0.bestScore = outcome.score
        }
        return outcome
    }

    /// The index of the first largest value (Python's `list.index(max(list))`).
    static func firstMaximum(_ values: [Double]) -> Int? {
        guard let largest = values.max() else { return nil }
        return values.firstIndex(of: largest)
    }
}
