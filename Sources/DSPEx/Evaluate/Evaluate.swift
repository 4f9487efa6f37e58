import Foundation
import OrderedCollections
import Synchronization

/// Evaluates a program on a dataset as map-reduce: map = program → prediction → metric → score,
/// reduce = mean score, counts, errors, tokens and latency per stage.
///
/// With a ``Store``, every result is written (in batched transactions) as it finishes, and a run with
/// the same name resumes: examples that already have a result are skipped, and the final result
/// covers the whole run.
///
/// ```swift
/// let evaluate = Evaluate(devset: devset, metric: .exactMatch())
/// let result = try await evaluate(try ChainOfThought("question -> answer", lm: lm))
/// print(result.percentage)
/// ```
public struct Evaluate: Sendable {
    /// How the evaluation runs.
    public struct Configuration: Sendable {
        /// The scheduler's options (max errors, ordering, channel sizes).
        public var scheduler: Scheduler.Configuration
        /// How many examples are scored at once (matters for LM-judged metrics).
        public var metricConcurrency: Int
        /// The most calls and tokens the evaluation may spend in this process (program and judge together); it then
        /// stops, resumably.
        public var budget: UsageBudget?
        /// Which examples of a stored run keep their stages' inputs, outputs and LM calls (see ``KeepPrompts``).
        public var keepPrompts: KeepPrompts
        /// The most characters of one message or reply a stage record keeps (the rest is counted, not stored).
        public var keptTextLimit: Int

        /// Creates a configuration.
        public init(
            scheduler: Scheduler.Configuration = .init(), metricConcurrency: Int = 16, budget: UsageBudget? = nil,
            keepPrompts: KeepPrompts = .all, keptTextLimit: Int = 65_536
        ) {
            self.keepPrompts = keepPrompts
            self.keptTextLimit = keptTextLimit
            self.scheduler = scheduler
            self.metricConcurrency = metricConcurrency
            self.budget = budget
        }
    }

    /// What identifies a stored run: its name, and what must not change between its start and a resume.
    public struct Run: Sendable, Hashable {
        /// The run's name (unique in the store).
        public var name: String
        /// The pipeline file, for display and `dspex resume`.
        public var pipeline: String
        /// The hash of the program (pipeline file after variable expansion, or any program identity).
        public var programHash: String
        /// The hash of the dataset file.
        public var datasetHash: String
        /// The options needed to resume (paths, metric, LM settings; never a secret).
        public var config: Value
        /// Continue an existing run of this name instead of starting one.
        public var resume: Bool
        /// The run's plan as JSON text, stored when the run is created (a resume reads it); never a secret.
        public var plan: String?
        /// Only the examples at these positions of the dataset: one shard of a run that several workers share. The
        /// evaluation of a shard leaves the run's status alone (whoever finishes its last shard completes it).
        public var shard: Range<Int>?

        /// Creates a run identity.
        public init(
            name: String, pipeline: String, programHash: String, datasetHash: String, config: Value, resume: Bool,
            plan: String? = nil
        ) {
            self.plan = plan
            self.name = name
            self.pipeline = pipeline
            self.programHash = programHash
            self.datasetHash = datasetHash
            self.config = config
            self.resume = resume
        }
    }

    /// The metric scoring each example.
    public var metric: Metric
    /// Where results are checkpointed; `nil` keeps them in memory only.
    public var store: (any Store)?
    /// The options.
    public var configuration: Configuration
    /// The examples evaluated by ``callAsFunction(_:)``.
    public var devset: [Example]

    /// Creates an evaluator for `devset`, DSPy's `Evaluate(devset=..., metric=...)`.
    public init(
        devset: [Example] = [], metric: Metric, store: (any Store)? = nil, configuration: Configuration = .init()
    ) {
        self.devset = devset
        self.metric = metric
        self.store = store
        self.configuration = configuration
    }

    /// Evaluates one module on ``devset``: its inputs are bound to the examples' input keys (or the
    /// signature's inputs), its outputs are the program's outputs.
    public func callAsFunction<M: Module>(
        _ module: M, signature: Signature? = nil, concurrency: Int = 16
    ) async throws -> EvaluationResult {
        let signature = signature ?? module.namedPredictors.first?.state.signature ?? Signature(inputs: [], outputs: [])
        var inputs = OrderedDictionary<String, SourceReference>()
        for field in signature.inputs { inputs[field.name] = .input(field: field.name) }
        var outputs = OrderedDictionary<String, SourceReference>()
        for field in signature.outputs { outputs[field.name] = .stage(id: "program", field: field.name) }
        let graph = try Graph(
            stages: [Stage("program", module: module, signature: signature, inputs: inputs, concurrency: concurrency)],
            outputs: outputs)
        return try await evaluate(graph, on: ExampleList(devset), total: devset.count)
    }

    /// Evaluates a graph over a stream of examples.
    ///
    /// - Parameters:
    ///   - graph: The program.
    ///   - examples: The dataset, streamed.
    ///   - total: The number of examples, for progress (optional).
    ///   - run: The stored run to create or resume; requires ``store``.
    ///   - onProgress: Called after every finished example, in this task.
    /// - Throws: ``EvaluateError`` when the run cannot start or resume, a dataset error, or a store error.
    public func evaluate<Examples: AsyncSequence & Sendable>(
        _ graph: Graph, on examples: Examples, total: Int? = nil, run: Run? = nil,
        onProgress: ((EvaluationProgress) -> Void)? = nil
    ) async throws -> EvaluationResult where Examples.Element == Example {
        // Every call of the evaluation — the program's and the judge's — is recorded in this scope (and its budget).
        try await withUsageScope(budget: configuration.budget) {
            try await evaluateInScope(graph, on: examples, total: total, run: run, onProgress: onProgress)
        }.0
    }

    private func evaluateInScope<Examples: AsyncSequence & Sendable>(
        _ graph: Graph, on examples: Examples, total: Int?, run: Run?, onProgress: ((EvaluationProgress) -> Void)?
    ) async throws -> EvaluationResult where Examples.Element == Example {
        let checkpoint: EvaluationCheckpoint?
        if let run {
            checkpoint = try await EvaluationCheckpoint(store: store, run: run)
        } else {
            checkpoint = nil
        }
        let done = checkpoint?.completedIDs ?? []
        let intake = IntakeValve()
        let pending = SkippingExamples(base: examples, skip: done, intake: intake, range: run?.shard)
        let positions = pending.positions
        var aggregate = EvaluationAggregate(metricName: metric.name)
        if let checkpoint { await aggregate.seed(with: try checkpoint.storedTotals()) }
        let started = ContinuousClock.now
        var schedulerConfiguration = configuration.scheduler
        // Stages are recorded for stored runs that keep them; without a store there is nowhere to keep them.
        let keepPrompts = checkpoint == nil ? KeepPrompts.none : configuration.keepPrompts
        if keepPrompts != .none { schedulerConfiguration.recordStages = true }
        let scheduler = Scheduler(graph: graph, configuration: schedulerConfiguration)
        let scoring = BoundedChannel<ExampleResult>(capacity: max(1, configuration.metricConcurrency) * 2)
        let scored = BoundedChannel<ScoredResult>(capacity: 256)
        let metric = self.metric
        let workers = max(1, configuration.metricConcurrency)
        let finishedWorkers = AtomicCounter()
        var summary: RunSummary?
        var stopReason: RunSummary.StopReason?
        var stopError: LMError?
        // Group commit: a write starts as soon as a result is pending (no timer), and takes everything pending then.
        let batcher = checkpoint.map {
            ResultBatcher(store: $0.store, configuration: .init(maxPending: 1024, maxDelay: .zero))
        }

        try await withThrowingTaskGroup(of: RunSummary?.self) { group in
            if let batcher {
                group.addTask {
                    try await batcher.run()
                    return nil
                }
            }
            group.addTask {
                defer {
                    scoring.finish()
                    if metric.isLocal { scored.finish() }
                }
                guard metric.isLocal else {
                    return try await scheduler.run(pending) { result in try await scoring.send(result) }
                }
                // A local metric is scored as each result arrives: no hop through the metric workers.
                return try await scheduler.run(pending) { result in
                    try await scored.send(ScoredResult.score(result, with: metric))
                }
            }
            for _ in 0..<(metric.isLocal ? 0 : workers) {
                group.addTask {
                    while let result = await scoring.receive() {
                        let item = await ScoredResult.score(result, with: metric)
                        do { try await scored.send(item) } catch { break }
                    }
                    if finishedWorkers.incrementAndGet() == workers { scored.finish() }
                    return nil
                }
            }
            while let item = await scored.receive() {
                if let stop = item.runStop {
                    // The metric met a run-stopping error (an LM judge's spent budget or refused key): the example is
                    // not done, so not recorded. No new example starts; those in flight finish and are kept.
                    if stopError == nil { (stopReason, stopError) = (.stopping(for: stop), stop) }
                    intake.close()
                    continue
                }
                aggregate.add(item)
                if let batcher, let checkpoint {
                    try await batcher.submit(
                        checkpoint.record(for: item, position: positions.position(ofIndex: item.result.index)),
                        stages: checkpoint.stageRecords(
                            for: item, keeping: keepPrompts, textLimit: configuration.keptTextLimit))
                }
                onProgress?(aggregate.progress(total: total, elapsed: ContinuousClock.now - started))
            }
            try await batcher?.close()
            // Everything else has finished (the scored channel ends after the scheduler and the workers): wake the
            // batcher's loop from its delay instead of waiting it out at the end of every run.
            group.cancelAll()
            while let next = try await group.next() {
                if let next { summary = next }
            }
        }
        if Task.isCancelled, stopReason == nil { stopReason = .cancelled }
        var result = aggregate.result(runName: run?.name)
        result.stopReason = stopReason ?? summary?.stopReason
        result.stopError = stopError ?? summary?.stopError
        result.resumedExamples = done.count
        if let checkpoint {
            let totals =
                run?.shard == nil
                ? try await checkpoint.finish(stopped: result.stopReason != nil) : try await checkpoint.storedTotals()
            result.apply(totals)
        }
        return result
    }
}

/// A result with its metric score (or the metric's failure).
struct ScoredResult: Sendable {
    var result: ExampleResult
    var score: Double
    var metricError: String?
    /// A run-stopping error the metric met (an LM judge's spent budget or refused key).
    var runStop: LMError?

    /// Scores a result; calls the metric makes (an LM judge) are added to the result's usage.
    static func score(_ result: ExampleResult, with metric: Metric) async -> ScoredResult {
        guard result.error == nil else { return ScoredResult(result: result, score: 0, metricError: nil) }
        let prediction = Prediction(result.outputs, usage: result.usage)
        let score = { () async throws -> Double in try await metric.score(result.example, prediction) }
        // A local metric calls no model: there is no usage to collect.
        var outcome: Result<Double, any Error>
        var judgeUsage = Usage()
        if metric.isLocal {
            do { outcome = .success(try await score()) } catch { outcome = .failure(error) }
        } else {
            (outcome, judgeUsage) = await UsageScope.measuring(score)
        }
        var counted = result
        let latency = counted.usage.latency
        counted.usage = counted.usage + judgeUsage
        counted.usage.latency = latency  // the example's latency is its program's
        switch outcome {
        case .success(let score): return ScoredResult(result: counted, score: score)
        case .failure(let error as LMError) where error.stopsRun:
            return ScoredResult(
                result: counted, score: 0, metricError: "metric \(metric.name): \(error)", runStop: error)
        case .failure(let error):
            return ScoredResult(result: counted, score: 0, metricError: "metric \(metric.name): \(error)")
        }
    }

    var isError: Bool { result.error != nil || metricError != nil }
    var errorText: String? { result.error.map(\.description) ?? metricError }
}

/// A thread-safe counter.
final class AtomicCounter: Sendable {
    private let value = Mutex(0)
    func incrementAndGet() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
