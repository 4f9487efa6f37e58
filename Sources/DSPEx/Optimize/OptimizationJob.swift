import Foundation

/// A running optimization: its run id, a stream of progress, its result, and cancel — the non-blocking handle
/// DSPy's `compile` lacks.
///
/// With a store and a run identity, everything the optimizer does is recorded as it finishes; a job cancelled,
/// killed or crashed is continued by starting it again with `run.resume = true` (what `dspex resume` does), and
/// ends with the program an uninterrupted run would have produced. The run's status in the store follows the job:
/// `running`, then `completed` (the best program is saved under the run's name), `stopped` (cancelled) or
/// `failed`.
///
/// ```swift
/// let job = try OptimizationJob.start(
///     MIPROv2(metric: .exactMatch(), promptModel: lm, auto: .light), program: program,
///     trainset: train, valset: dev, store: store,
///     run: .init(name: "mipro-1", pipeline: "qa.yaml", programHash: hash, datasetHash: dataHash,
///                config: [:], resume: false))
/// Task { for await progress in job.events { print(progress) } }
/// let optimized = try await job.result
/// ```
public final class OptimizationJob: Sendable {
    /// The run's name (`nil` for a job without a store).
    public let runName: String?
    /// The run's id in the store.
    public let runID: Int64?
    /// Progress snapshots, newest kept when the reader is slow; ends when the job does.
    public let events: AsyncStream<OptimizationProgress>
    private let task: Task<Graph, any Error>

    private init(
        runName: String?, runID: Int64?, events: AsyncStream<OptimizationProgress>, task: Task<Graph, any Error>
    ) {
        self.runName = runName
        self.runID = runID
        self.events = events
        self.task = task
    }

    /// The optimized program, once the job finishes.
    ///
    /// - Throws: `CancellationError` when cancelled (the run is `stopped` and resumable), or the optimizer's error.
    public var result: Graph {
        get async throws { try await task.value }
    }

    /// Stops the job; what finished stays recorded, and the run can be resumed.
    public func cancel() {
        task.cancel()
    }

    /// Starts `optimizer` on `program` in a new task.
    ///
    /// - Parameters:
    ///   - optimizer: The optimizer.
    ///   - program: The student program.
    ///   - trainset: Examples to learn from.
    ///   - valset: Examples to choose between candidates.
    ///   - store: Where the run is recorded; `nil` keeps it in memory (not resumable).
    ///   - run: The run to create or resume in `store`.
    /// - Throws: ``EvaluateError`` when the run cannot be created or resumed (a name taken, a changed pipeline or
    ///   dataset).
    public static func start(
        _ optimizer: any Optimizer, program: Graph, trainset: [Example], valset: [Example]?, store: Store? = nil,
        run: Evaluate.Run? = nil
    ) throws -> OptimizationJob {
        var opened: (id: Int64, resumed: Bool)?
        var journal = CompileJournal()
        if let store, let run {
            let found = try EvaluationCheckpoint.open(run, kind: RunRecord.Kind.compile, in: store)
            opened = found
            journal = CompileJournal(store: store, runID: found.id)
        }
        let (events, continuation) = AsyncStream.makeStream(
            of: OptimizationProgress.self, bufferingPolicy: .bufferingNewest(64))
        let context = OptimizationContext(journal: journal) { continuation.yield($0) }
        let runID = opened?.id
        let task = Task<Graph, any Error> {
            defer { continuation.finish() }
            do {
                let optimized = try await optimizer.compile(
                    program, trainset: trainset, valset: valset, context: context)
                context.enter("done")
                if let store, let runID, let run {
                    _ = try store.saveProgram(name: run.name, json: optimized.savedState().jsonString(), runID: runID)
                    try store.updateRun(
                        id: runID, status: RunRecord.Status.completed,
                        totals: try totals(store: store, runID: runID, progress: context.progress))
                }
                return optimized
            } catch {
                if let store, let runID {
                    let status = error is CancellationError ? RunRecord.Status.stopped : RunRecord.Status.failed
                    try? store.updateRun(
                        id: runID, status: status,
                        totals: try? totals(store: store, runID: runID, progress: context.progress))
                }
                throw error
            }
        }
        return OptimizationJob(runName: run?.name, runID: runID, events: events, task: task)
    }

    /// Creates the compile run `run` in `store` without starting it, for a job to be started elsewhere with
    /// `run.resume = true` (a detached `dspex compile`).
    ///
    /// - Returns: The run's id.
    /// - Throws: ``EvaluateError`` when a run of that name exists.
    @discardableResult
    public static func create(_ run: Evaluate.Run, in store: Store) throws -> Int64 {
        var fresh = run
        fresh.resume = false
        return try EvaluationCheckpoint.open(fresh, kind: RunRecord.Kind.compile, in: store).id
    }

    /// The run's totals: calls and tokens of every recorded example, and the best score measured.
    private static func totals(store: Store, runID: Int64, progress: OptimizationProgress) throws -> StoredTotals {
        var totals = try store.compileTotals(runID: runID)
        totals.bestScore = progress.bestScore
        return totals
    }
}
