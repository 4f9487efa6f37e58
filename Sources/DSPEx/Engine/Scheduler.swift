import OrderedCollections
import Synchronization

/// Runs a ``Graph`` over a stream of examples with every stage working at once.
///
/// One task group per run: a source streams examples into the stages that read the dataset; each
/// stage joins its inputs per example (fan-in), runs up to `concurrency` examples at once, and
/// passes its outputs to the stages downstream (fan-out) and to the sink. Stages are connected by
/// ``BoundedChannel``s, and at most `maxInFlight` examples are between the source and the sink, so
/// memory is bounded by configuration, not by dataset size. A failure of one example in one stage
/// becomes that example's error (the stages downstream skip it) and the run goes on until
/// `maxErrors`.
///
/// ```swift
/// let summary = try await Scheduler(graph: graph).run(dataset.rows()) { result in
///     print(result.index, result.outputs, result.error as Any)
/// }
/// ```
public struct Scheduler: Sendable {
    /// How a run behaves.
    public struct Configuration: Sendable, Hashable {
        /// Stop (cleanly) once more than this many examples have failed; `nil` never stops.
        public var maxErrors: Int?
        /// Deliver results in dataset order instead of as they complete.
        public var ordered: Bool
        /// The capacity of each channel between stages.
        public var channelCapacity: Int
        /// The most examples between the source and the sink; `nil` derives it from the stages.
        public var maxInFlight: Int?
        /// Record every predictor call of each example in ``ExampleResult/trace`` (for bootstrapping demos).
        public var captureTraces: Bool
        /// Record what each stage did for each example — inputs, outputs, LM calls — in ``ExampleResult/stages``.
        public var recordStages: Bool

        /// Creates a configuration.
        public init(
            maxErrors: Int? = nil, ordered: Bool = false, channelCapacity: Int = 64, maxInFlight: Int? = nil,
            captureTraces: Bool = false, recordStages: Bool = false
        ) {
            self.recordStages = recordStages
            self.maxErrors = maxErrors
            self.ordered = ordered
            self.channelCapacity = channelCapacity
            self.maxInFlight = maxInFlight
            self.captureTraces = captureTraces
        }
    }

    /// The program.
    public let graph: Graph
    /// The run's behaviour.
    public let configuration: Configuration

    /// Creates a scheduler for a graph.
    public init(graph: Graph, configuration: Configuration = Configuration()) {
        self.graph = graph
        self.configuration = configuration
    }

    /// The in-flight bound used when the configuration does not set one.
    public var effectiveMaxInFlight: Int {
        if let maxInFlight = configuration.maxInFlight { return max(1, maxInFlight) }
        let work = graph.stages.reduce(0) { $0 + $1.concurrency }
        return max(16, 2 * work)
    }

    /// Runs every example of `examples` through the graph, calling `onResult` once per example (in this
    /// task, one at a time).
    ///
    /// An example whose stage met a run-stopping ``LMError`` (``LMError/stopsRun``: a spent budget, a rejected key,
    /// an unknown model) is not delivered: no example starts after it, those in flight finish, and the summary's
    /// `stopReason` and `stopError` say why.
    ///
    /// - Returns: The totals; `stopReason` is set when `maxErrors`, a run-stopping error or cancellation stopped
    ///   the run early.
    /// - Throws: An error of the example stream (a bad dataset row) after the examples already in flight
    ///   have finished and been delivered, or an error thrown by `onResult`.
    public func run<Examples: AsyncSequence & Sendable>(
        _ examples: Examples, onResult: (ExampleResult) async throws -> Void
    ) async throws -> RunSummary where Examples.Element == Example {
        let started = ContinuousClock.now
        let run = SchedulerRun(graph: graph, configuration: configuration, maxInFlight: effectiveMaxInFlight)
        var summary = RunSummary()
        var sinkError: (any Error)?
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await run.source(examples) }
            for (stageIndex, stage) in graph.stages.enumerated() {
                if run.joinsInputs(stageIndex) { group.addTask { await run.dispatch(stageIndex) } }
                for _ in 0..<stage.concurrency {
                    group.addTask { await run.work(stageIndex) }
                }
            }
            do {
                try await run.sink(summary: &summary, onResult: onResult)
            } catch {
                sinkError = error
            }
            if sinkError != nil || summary.stopReason != nil || Task.isCancelled {
                run.stopAll()
                group.cancelAll()
            }
            await group.waitForAll()
        }
        if Task.isCancelled, summary.stopReason == nil { summary.stopReason = .cancelled }
        summary.elapsed = ContinuousClock.now - started
        if let sinkError { throw sinkError }
        if let sourceError = run.sourceError { throw sourceError }
        return summary
    }
}
