import Foundation

/// An optimization as a job: its run id, a stream of progress, its result, and cancel — the handle DSPy's
/// `compile` lacks.
///
/// ``open(_:program:trainset:valset:store:run:)`` creates (or reopens) the run and returns at once; ``run()`` does
/// the work in the caller's task — structured concurrency, no task of its own — while any other task may read
/// ``events`` or call ``cancel()``. With a store and a run identity, everything the optimizer does is recorded as it
/// finishes; a job cancelled, killed or crashed is continued by opening it again with `run.resume = true` (what
/// `dspex resume` does), and ends with the program an uninterrupted run would have produced. The run's status in the
/// store follows the job: `running`, then `completed` (the best program is saved under the run's name), `stopped`
/// (cancelled) or `failed`.
///
/// ```swift
/// let job = try OptimizationJob.open(
///     MIPROv2(metric: .exactMatch(), promptModel: lm, auto: .light), program: program,
///     trainset: train, valset: dev, store: store,
///     run: .init(name: "mipro-1", pipeline: "qa.yaml", programHash: hash, datasetHash: dataHash,
///                config: [:], resume: false))
/// async let optimized = job.run()
/// for await progress in job.events { print(progress) }
/// let program = try await optimized
/// ```
public final class OptimizationJob: Sendable {
    /// The run's name (`nil` for a job without a store).
    public let runName: String?
    /// The run's id in the store.
    public let runID: Int64?
    /// Progress snapshots, newest kept when the reader is slow; ends when ``run()`` does.
    public let events: AsyncStream<OptimizationProgress>
    private let progress: AsyncStream<OptimizationProgress>.Continuation
    private let stopRequests: AsyncStream<Void>
    private let stopRequest: AsyncStream<Void>.Continuation
    private let work: @Sendable (OptimizationContext) async throws -> Graph
    private let context: OptimizationContext
    private let store: (any Store)?

    private init(
        runName: String?, runID: Int64?, journal: CompileJournal, store: (any Store)?, budget: UsageBudget?,
        work: @escaping @Sendable (OptimizationContext) async throws -> Graph
    ) {
        self.runName = runName
        self.runID = runID
        self.store = store
        self.work = work
        let (events, progress) = AsyncStream.makeStream(
            of: OptimizationProgress.self, bufferingPolicy: .bufferingNewest(64))
        self.events = events
        self.progress = progress
        (stopRequests, stopRequest) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        context = OptimizationContext(journal: journal, usage: UsageScope(budget: budget)) { progress.yield($0) }
    }

    /// Stops ``run()``, from any task; what finished stays recorded, and the run can be resumed.
    public func cancel() {
        stopRequest.yield()
    }

    /// Runs the optimization to its end in this task and returns the optimized program.
    ///
    /// - Throws: `CancellationError` when cancelled — by ``cancel()`` or by cancelling this task — or an ``LMError``
    ///   that stops the run (a spent budget, a refused key, an unknown model): the run is `stopped` and resumable.
    ///   Any other error of the optimizer: the run is `failed`.
    public func run() async throws -> Graph {
        defer { progress.finish() }
        do {
            let optimized = try await withThrowingTaskGroup(of: Graph?.self) { group in
                group.addTask {
                    try await self.context.recording { try await self.work(self.context) }
                }
                group.addTask {
                    for await _ in self.stopRequests { return nil }
                    return nil
                }
                defer { group.cancelAll() }
                while let outcome = try await group.next() {
                    if let outcome { return outcome }
                    group.cancelAll()  // a stop request: the optimizer winds down and throws CancellationError
                }
                throw CancellationError()
            }
            context.enter("done")
            if let store, let runID, let runName {
                _ = try await store.saveProgram(name: runName, json: optimized.savedState().jsonString(), runID: runID)
                try await store.updateRun(
                    id: runID, status: RunRecord.Status.completed,
                    totals: try Self.totals(store: store, runID: runID, progress: context.progress))
            }
            return optimized
        } catch {
            if let store, let runID {
                let resumable = error is CancellationError || (error as? LMError)?.stopsRun == true
                let status = resumable ? RunRecord.Status.stopped : RunRecord.Status.failed
                try? await store.updateRun(
                    id: runID, status: status,
                    totals: try? Self.totals(store: store, runID: runID, progress: context.progress))
            }
            throw error
        }
    }

    /// Creates (or, with `run.resume`, reopens) the run for `optimizer` on `program`; ``run()`` then does the work.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer.
    ///   - program: The student program.
    ///   - trainset: Examples to learn from.
    ///   - valset: Examples to choose between candidates.
    ///   - store: Where the run is recorded; `nil` keeps it in memory (not resumable).
    ///   - run: The run to create or resume in `store`.
    ///   - budget: The most calls and tokens this process may spend on the run (it then stops, resumably).
    /// - Throws: ``EvaluateError`` when the run cannot be created or resumed (a name taken, a changed pipeline or
    ///   dataset).
    public static func open(
        _ optimizer: any Optimizer, program: Graph, trainset: [Example], valset: [Example]?, store: (any Store)? = nil,
        run: Evaluate.Run? = nil, budget: UsageBudget? = nil
    ) async throws -> OptimizationJob {
        var runID: Int64?
        var journal = CompileJournal()
        if let store, let run {
            let id = try await EvaluationCheckpoint.open(run, kind: RunRecord.Kind.compile, in: store).id
            runID = id
            journal = CompileJournal(store: store, runID: id)
        }
        return OptimizationJob(
            runName: runID == nil ? nil : run?.name, runID: runID, journal: journal, store: runID == nil ? nil : store,
            budget: budget
        ) { context in
            try await optimizer.compile(program, trainset: trainset, valset: valset, context: context)
        }
    }

    /// Creates the compile run `run` in `store` without starting it, for a job to be started elsewhere with
    /// `run.resume = true` (a detached `dspex compile`).
    ///
    /// - Returns: The run's id.
    /// - Throws: ``EvaluateError`` when a run of that name exists.
    @discardableResult
    public static func create(_ run: Evaluate.Run, in store: any Store) async throws -> Int64 {
        var fresh = run
        fresh.resume = false
        return try await EvaluationCheckpoint.open(fresh, kind: RunRecord.Kind.compile, in: store).id
    }

    /// The run's totals: calls and tokens of every recorded example, and the best score measured.
    private static func totals(store: any Store, runID: Int64, progress: OptimizationProgress) async throws
        -> StoredTotals
    {
        // The examples' calls and those made outside any example (proposers), by every process that worked on it.
        var totals = try await store.compileTotals(runID: runID).adding(
            try CompileJournal(store: store, runID: runID).memoUsage())
        totals.bestScore = progress.bestScore
        return totals
    }
}
