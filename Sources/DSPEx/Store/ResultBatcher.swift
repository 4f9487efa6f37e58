import GRDB
import Synchronization

/// Collects results from many tasks and writes them to a ``Store`` in batched transactions, so an
/// evaluation never spends one transaction per example.
///
/// A batch is written when ``Configuration/maxPending`` results are waiting (by the submitter that
/// filled it, which gives producers backpressure), ``Configuration/maxDelay`` after the first
/// pending result (by ``run()``), and on ``flush()`` and ``close()``. The batcher starts no task of
/// its own: its owner runs ``run()`` as a child task next to the producers; without `run()` only
/// full batches and explicit flushes are written.
///
/// ```swift
/// let batcher = ResultBatcher(store: store)
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await batcher.run() }
///     for try await record in records { try await batcher.submit(record) }
///     try await batcher.close()  // writes the rest; run() returns
///     try await group.waitForAll()
/// }
/// ```
///
/// ``flush()`` returns once everything submitted before it is committed: each write takes the
/// pending results inside its transaction, and GRDB runs writes one at a time, so a write that took
/// some results earlier commits before the flush's own. After a write fails the batcher is failed:
/// every later call throws that error (a resumed run recomputes the examples that were not written).
public final class ResultBatcher: Sendable {
    /// When batches are written.
    public struct Configuration: Sendable {
        /// Write as soon as this many results are pending.
        public var maxPending: Int
        /// Write this long after the first pending result, when ``ResultBatcher/run()`` is running.
        public var maxDelay: Duration

        /// Creates a configuration; the defaults suit evaluations (256 results or 50 ms).
        public init(maxPending: Int = 256, maxDelay: Duration = .milliseconds(50)) {
            self.maxPending = maxPending
            self.maxDelay = maxDelay
        }
    }

    private typealias WaitAction = ResultBatcherStateMachine.WaitAction

    private struct Storage {
        var machine: ResultBatcherStateMachine
        var loop: [ResultBatcherStateMachine.WaiterID: CheckedContinuation<WaitAction, Never>] = [:]

        mutating func continuation(_ id: ResultBatcherStateMachine.WaiterID?) -> CheckedContinuation<WaitAction, Never>?
        {
            id.flatMap { loop.removeValue(forKey: $0) }
        }
    }

    private let store: any Store
    private let configuration: Configuration
    private let clock: any Clock<Duration>
    private let storage: Mutex<Storage>

    /// Creates a batcher writing to `store`.
    ///
    /// - Parameters:
    ///   - store: Where results are written.
    ///   - configuration: Batch size and delay.
    ///   - clock: The clock ``run()`` waits on (inject a test clock to control time).
    public init(
        store: any Store, configuration: Configuration = .init(), clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        let machine = ResultBatcherStateMachine(maxPending: configuration.maxPending, path: store.location)
        storage = Mutex(Storage(machine: machine))
    }

    /// Queues `record` with what each stage did for its example (written in the same transaction); writes the
    /// batch in this task when it is full.
    ///
    /// - Throws: ``StoreError`` if the batcher is closed or a write failed.
    public func submit(_ record: ResultRecord, stages: [ExampleStageRecord] = []) async throws {
        let submitted: (ResultBatcherStateMachine.SubmitAction, CheckedContinuation<WaitAction, Never>?) =
            try storage.withLock { (storage: inout Storage) throws(StoreError) in
                let action = try storage.machine.submit(record, stages: stages).get()
                guard case .wakeLoop(let id) = action else { return (action, nil) }
                return (action, storage.continuation(id))
            }
        let (action, loop) = submitted
        loop?.resume(returning: .work)
        if action == .write { try await writePending() }
    }

    /// Writes every result submitted so far and returns when they are committed.
    public func flush() async throws {
        try await writePending()
    }

    /// Refuses further results, writes what is pending, and lets ``run()`` return.
    public func close() async throws {
        let loop = storage.withLock { storage in storage.continuation(storage.machine.close()) }
        loop?.resume(returning: .stop)
        try await writePending()
    }

    /// How many results are waiting to be written.
    public var pendingCount: Int { storage.withLock { $0.machine.pending.count } }

    /// The flush loop: waits for a first pending result, waits ``Configuration/maxDelay``, writes
    /// the batch, and repeats until ``close()`` or cancellation, writing what is left before returning.
    ///
    /// Run it as a child task of whoever owns the batcher (see the example above).
    /// - Throws: ``StoreError`` if a write fails.
    public func run() async throws {
        while await nextAction() == .work {
            do {
                try await clock.sleep(for: configuration.maxDelay)
            } catch {
                break  // cancelled while waiting: write what was submitted and stop
            }
            try await writePending()
        }
        try await writePending()
    }

    /// Returns `.work` when results are pending (suspending until the first one arrives) and
    /// `.stop` once the batcher is closed or the calling task is cancelled.
    private func nextAction() async -> WaitAction {
        if Task.isCancelled { _ = storage.withLock { $0.machine.cancelLoop() } }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WaitAction, Never>) in
                let action = storage.withLock { storage in
                    let (action, id) = storage.machine.waitForWork()
                    if let id { storage.loop[id] = continuation }
                    return action
                }
                if action != .suspend { continuation.resume(returning: action) }
            }
        } onCancel: {
            let loop = storage.withLock { storage in storage.continuation(storage.machine.cancelLoop()) }
            loop?.resume(returning: .stop)
        }
    }

    /// Writes whatever is pending when the write transaction starts.
    private func writePending() async throws {
        do {
            try await store.writeResultBatch { [self] in
                try storage.withLock { (storage: inout Storage) throws(StoreError) in
                    (try storage.machine.takeBatch().get(), storage.machine.takeStages())
                }
            }
        } catch {
            let failure = StoreError.wrapping(
                error, code: .write, operation: "insert pending results", path: store.location)
            storage.withLock { $0.machine.writeFailed(failure) }
            throw failure
        }
    }
}
