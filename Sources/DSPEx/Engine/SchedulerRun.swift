import OrderedCollections
import Synchronization

/// The channels and bookkeeping of one ``Scheduler`` run; its methods are the bodies of the run's
/// child tasks.
final class SchedulerRun: Sendable {
    /// What travels from a producer (the source or a stage) to a stage or the sink.
    struct Part: Sendable {
        enum Payload: Sendable {
            case example(Example)
            case outputs(OrderedDictionary<String, Value>, Usage, [TraceEntry])
            case failure(StageFailure)
        }

        var index: Int
        /// -1 for the dataset, otherwise the producing stage's index.
        var origin: Int
        var payload: Payload
        /// What the producing stage did, when the run records its stages.
        var record: StageRecord? = nil
    }

    /// A stage's joined inputs for one example, or the upstream failure that makes it skip.
    struct Work: Sendable {
        var index: Int
        var inputs: OrderedDictionary<String, Value>
        var failure: StageFailure?
    }

    static let datasetOrigin = -1

    let graph: Graph
    let configuration: Scheduler.Configuration
    let inboxes: [BoundedChannel<Part>]
    let workQueues: [BoundedChannel<Work>]
    let sinkInbox: BoundedChannel<Part>
    let inFlight: ConcurrencyLimiter
    /// Stage indices downstream of each stage.
    let downstream: [[Int]]
    /// The origins each stage waits for per example.
    let expectedOrigins: [Set<Int>]
    /// Stage indices that read the dataset.
    let datasetReaders: [Int]
    /// Where each stage's inputs come from, resolved once.
    let bindings: [[Binding]]

    /// One input of a stage: (input field, producing origin, source, whether the signature requires it).
    struct Binding: Sendable {
        var field: String
        var origin: Int
        var source: SourceReference
        var required: Bool
    }

    private let producers: Mutex<[Int: Int]>  // channel key -> producers still running; -1 = sink
    /// The examples between the source and the sink, by index: the sink takes each one when its last stage
    /// reports, so the example itself need not travel through the sink's channel.
    private let admitted = Mutex<[Int: Example]>([:])
    private let activeWorkers: Mutex<[Int]>
    private let failure = Mutex<(any Error)?>(nil)
    /// Set once an example met a run-stopping error: the source admits no more examples.
    private let admissionClosed = Mutex(false)

    init(graph: Graph, configuration: Scheduler.Configuration, maxInFlight: Int) {
        self.graph = graph
        self.configuration = configuration
        let capacity = max(1, configuration.channelCapacity)
        inboxes = graph.stages.map { _ in BoundedChannel<Part>(capacity: capacity) }
        workQueues = graph.stages.map { BoundedChannel<Work>(capacity: max(1, $0.concurrency)) }
        sinkInbox = BoundedChannel<Part>(capacity: capacity)
        inFlight = ConcurrencyLimiter(limit: maxInFlight)
        let indexByID = Dictionary(uniqueKeysWithValues: graph.stages.enumerated().map { ($1.id, $0) })
        var expected: [Set<Int>] = []
        var readers: [Int] = []
        var down = Array(repeating: [Int](), count: graph.stages.count)
        for (index, stage) in graph.stages.enumerated() {
            var origins = Set(stage.upstreamIDs.compactMap { indexByID[$0] })
            for upstream in origins { down[upstream].append(index) }
            if stage.readsDataset || origins.isEmpty {
                origins.insert(Self.datasetOrigin)
                readers.append(index)
            }
            expected.append(origins)
        }
        expectedOrigins = expected
        datasetReaders = readers
        bindings = graph.stages.map { stage in
            stage.inputs.map { field, source in
                Binding(
                    field: field,
                    origin: source.stageID.flatMap { id in indexByID[id] } ?? Self.datasetOrigin,
                    source: source,
                    required: stage.signature.inputs.first { $0.name == field }.map { !$0.type.isOptional } ?? false)
            }
        }
        downstream = down
        var counts: [Int: Int] = [-1: 1 + graph.stages.count]
        for (index, origins) in expected.enumerated() { counts[index] = origins.count }
        producers = Mutex(counts)
        activeWorkers = Mutex(graph.stages.map(\.concurrency))
    }

    /// The error that ended the example stream, if any.
    var sourceError: (any Error)? { failure.withLock { $0 } }

    // MARK: Source

    func source<Examples: AsyncSequence & Sendable>(_ examples: Examples) async where Examples.Element == Example {
        var index = 0
        do {
            for try await example in examples {
                if admissionClosed.withLock({ $0 }) { break }
                try await inFlight.acquire()
                if admissionClosed.withLock({ $0 }) {
                    inFlight.release()
                    break
                }
                let part = Part(index: index, origin: Self.datasetOrigin, payload: .example(example))
                if graph.stages.isEmpty {
                    try await sinkInbox.send(part)
                } else {
                    admitted.withLock { $0[index] = example }
                }
                for reader in datasetReaders { try await inboxes[reader].send(part) }
                index += 1
            }
        } catch is CancellationError {
        } catch let error as BoundedChannelError where error == .finished {
        } catch {
            failure.withLock { $0 = error }
        }
        producerFinished(sink: true, stages: datasetReaders)
    }

    // MARK: Stages

    /// Whether a stage waits for one producer only (the dataset or one upstream stage): then there is nothing to
    /// join, and its workers take parts from its inbox directly instead of through a dispatch task.
    func joinsInputs(_ stageIndex: Int) -> Bool {
        expectedOrigins[stageIndex].count > 1
    }

    /// Joins the parts of each example from every producer of a stage and queues the stage's work (fan-in).
    func dispatch(_ stageIndex: Int) async {
        let expected = expectedOrigins[stageIndex]
        var pending: [Int: [Int: Part.Payload]] = [:]
        while let part = await inboxes[stageIndex].receive() {
            pending[part.index, default: [:]][part.origin] = part.payload
            guard let parts = pending[part.index], parts.count == expected.count else { continue }
            pending.removeValue(forKey: part.index)
            do {
                try await workQueues[stageIndex].send(makeWork(stageIndex, index: part.index, parts: parts))
            } catch {
                break
            }
        }
        workQueues[stageIndex].finish()
    }

    /// A stage's inputs for one example from the outputs of its producers, or the failure that makes it skip.
    private func makeWork(_ stageIndex: Int, index: Int, parts: [Int: Part.Payload]) -> Work {
        var available: [Int: OrderedDictionary<String, Value>] = [:]
        for (origin, payload) in parts {
            switch payload {
            case .example(let example): available[origin] = example.values
            case .outputs(let outputs, _, _): available[origin] = outputs
            case .failure(let failure): return Work(index: index, inputs: [:], failure: failure)
            }
        }
        return bind(stageIndex, index: index) { available[$0] }
    }

    /// Like ``makeWork(_:index:parts:)`` for a stage with one producer (no dictionary of parts).
    private func makeWork(_ stageIndex: Int, part: Part) -> Work {
        switch part.payload {
        case .example(let example): return bind(stageIndex, index: part.index) { _ in example.values }
        case .outputs(let outputs, _, _): return bind(stageIndex, index: part.index) { _ in outputs }
        case .failure(let failure): return Work(index: part.index, inputs: [:], failure: failure)
        }
    }

    /// The stage's input values taken from the producers' values (`values(origin)`).
    private func bind(
        _ stageIndex: Int, index: Int, values: (Int) -> OrderedDictionary<String, Value>?
    ) -> Work {
        var work = Work(index: index, inputs: [:], failure: nil)
        for binding in bindings[stageIndex] {
            if let value = values(binding.origin)?[binding.source.field] {
                work.inputs[binding.field] = value
            } else if binding.required {
                work.failure = StageFailure(
                    stage: graph.stages[stageIndex].id,
                    message: "the example has no value for '\(binding.source)' (input '\(binding.field)')",
                    kind: "input")
            }
        }
        return work
    }

    /// The next work of a stage: from its dispatch task, or straight from its inbox when it has one producer.
    private func nextWork(_ stageIndex: Int) async -> Work? {
        guard !joinsInputs(stageIndex) else { return await workQueues[stageIndex].receive() }
        guard let part = await inboxes[stageIndex].receive() else { return nil }
        return makeWork(stageIndex, part: part)
    }

    func work(_ stageIndex: Int) async {
        await workLoop(stageIndex)
        let last = activeWorkers.withLock { counts -> Bool in
            counts[stageIndex] -= 1
            return counts[stageIndex] == 0
        }
        if last { producerFinished(sink: true, stages: downstream[stageIndex]) }
    }

    /// The examples of one worker of a stage, until its work ends or the run stops. Each example runs in a usage
    /// scope of its own, so the stage's cost for it is what its calls recorded — also when the stage fails after them.
    private func workLoop(_ stageIndex: Int) async {
        let stage = graph.stages[stageIndex]
        while let work = await nextWork(stageIndex) {
            let payload: Part.Payload
            var record: StageRecord?
            if let upstreamFailure = work.failure {
                payload = .failure(upstreamFailure)
            } else {
                let started = ContinuousClock.now
                let log = configuration.recordStages ? LMCallLog() : nil
                let (outcome, spent) =
                    if let log {
                        await LMCallLog.$current.withValue(log) { await forward(stage, work.inputs) }
                    } else {
                        await forward(stage, work.inputs)
                    }
                var usage = spent
                usage.latency = ContinuousClock.now - started
                switch outcome {
                case .success(let (prediction, trace)):
                    payload = .outputs(prediction.outputs, usage, trace)
                case .failure(let error):
                    if Task.isCancelled { return }
                    payload = .failure(StageFailure(stage: stage.id, error: error, usage: usage))
                }
                if let log { record = Self.stageRecord(stage.id, position: stageIndex, work.inputs, outcome, log) }
            }
            let part = Part(index: work.index, origin: stageIndex, payload: payload, record: record)
            do {
                for next in downstream[stageIndex] { try await inboxes[next].send(part) }
                try await sinkInbox.send(part)
            } catch {
                break
            }
        }
    }

    /// Runs `stage` on one example's inputs in a usage scope of its own, in a trace when the run captures them.
    private func forward(
        _ stage: Stage, _ inputs: OrderedDictionary<String, Value>
    ) async -> (Result<(Prediction, [TraceEntry]), any Error>, Usage) {
        await UsageScope.measuring { () async throws -> (Prediction, [TraceEntry]) in
            guard configuration.captureTraces else { return (try await stage.module.forward(inputs), []) }
            return try await withTrace { try await stage.module.forward(inputs) }
        }
    }

    /// The record of a stage that ran: its inputs, its outputs or error, and the calls in `log`.
    private static func stageRecord(
        _ stage: String, position: Int, _ inputs: OrderedDictionary<String, Value>,
        _ outcome: Result<(Prediction, [TraceEntry]), any Error>, _ log: LMCallLog
    ) -> StageRecord {
        var record = StageRecord(
            stage: stage, position: position, inputs: inputs, outputs: [:], calls: log.entries,
            fallbacks: log.fallbacks)
        switch outcome {
        case .success(let (prediction, _)): record.outputs = prediction.outputs
        case .failure(let error):
            record.error = String(describing: error)
            record.rawReply = (error as? AdapterError)?.rawReply
        }
        return record
    }

    // MARK: Sink

    func sink(summary: inout RunSummary, onResult: (ExampleResult) async throws -> Void) async throws {
        let stageCount = graph.stages.count
        var pending: [Int: (example: Example?, parts: [Int: Part.Payload], records: [StageRecord])] = [:]
        var ready: [Int: ExampleResult] = [:]
        var nextIndex = 0
        while let part = await sinkInbox.receive() {
            if case .example(let example) = part.payload {
                pending[part.index, default: (nil, [:], [])].example = example
            } else {
                pending[part.index, default: (nil, [:], [])].parts[part.origin] = part.payload
                if let record = part.record { pending[part.index, default: (nil, [:], [])].records.append(record) }
            }
            guard let entry = pending[part.index], entry.parts.count == stageCount,
                let example = entry.example ?? admitted.withLock({ $0.removeValue(forKey: part.index) })
            else {
                continue
            }
            pending.removeValue(forKey: part.index)
            var result = makeResult(index: part.index, example: example, parts: entry.parts)
            if !entry.records.isEmpty { result.stages = entry.records.sorted { $0.position < $1.position } }
            if configuration.ordered {
                ready[result.index] = result
                while let next = ready.removeValue(forKey: nextIndex) {
                    nextIndex += 1
                    guard try await deliver(next, summary: &summary, onResult: onResult) else { return }
                }
            } else {
                guard try await deliver(result, summary: &summary, onResult: onResult) else { return }
            }
        }
    }

    /// Hands one result to the caller; returns false when the run must stop.
    private func deliver(
        _ result: ExampleResult, summary: inout RunSummary, onResult: (ExampleResult) async throws -> Void
    ) async throws -> Bool {
        if Task.isCancelled { return false }
        if let stop = result.error?.runStop {
            // Not done, so not delivered; no example starts after it, and those in flight finish and are kept.
            if summary.stopReason == nil {
                summary.stopReason = .stopping(for: stop)
                summary.stopError = stop
            }
            admissionClosed.withLock { $0 = true }
            inFlight.release()
            return true
        }
        try await onResult(result)
        summary.add(result)
        inFlight.release()
        if let maxErrors = configuration.maxErrors, summary.errors > maxErrors {
            summary.stopReason = .maxErrors
            return false
        }
        return true
    }

    private func makeResult(index: Int, example: Example, parts: [Int: Part.Payload]) -> ExampleResult {
        var result = ExampleResult(index: index, example: example, outputs: [:])
        var outputsByStage: [String: OrderedDictionary<String, Value>] = [:]
        for (stageIndex, stage) in graph.stages.enumerated() {
            switch parts[stageIndex] {
            case .outputs(let outputs, let usage, let trace):
                outputsByStage[stage.id] = outputs
                result.stageUsage[stage.id] = usage
                result.usage = result.usage + usage
                result.trace += trace
            case .failure(let failure):
                // Every stage downstream of a failure carries the same root failure; the failed stage's calls
                // are counted once, under that stage.
                if result.error == nil { result.error = failure }
                if failure.stage == stage.id {
                    result.stageUsage[stage.id] = failure.usage
                    result.usage = result.usage + failure.usage
                }
            default:
                break
            }
        }
        guard result.error == nil else { return result }
        for (name, source) in graph.outputs {
            switch source {
            case .input(let field): result.outputs[name] = example[field] ?? .null
            case .stage(let id, let field): result.outputs[name] = outputsByStage[id]?[field] ?? .null
            }
        }
        return result
    }

    // MARK: Lifecycle

    /// One producer of the sink and of `stages` is done; a channel whose producers are all done is finished.
    private func producerFinished(sink: Bool, stages: [Int]) {
        var finished: [Int] = []
        producers.withLock { counts in
            for key in stages + (sink ? [-1] : []) {
                counts[key, default: 0] -= 1
                if counts[key] == 0 { finished.append(key) }
            }
        }
        for key in finished {
            if key == -1 { sinkInbox.finish() } else { inboxes[key].finish() }
        }
    }

    /// Stops everything at once: pending sends fail, receivers drain nothing more.
    func stopAll() {
        for inbox in inboxes { inbox.cancel() }
        for queue in workQueues { queue.cancel() }
        sinkInbox.cancel()
    }
}
