/// The synchronous state of a ``ResultBatcher``: pending results, whether a size-triggered write is
/// due, the flush loop's waiter, and whether the batcher is closed or has failed.
///
/// Every transition returns what the caller must do after releasing the lock (resume a
/// continuation, write a batch), so it can be tested without tasks.
struct ResultBatcherStateMachine {
    /// What a submitter does after appending its result.
    enum SubmitAction: Equatable {
        /// Nothing: the flush loop or a later submitter writes it.
        case none
        /// Wake the flush loop (resume it with ``WaitAction/work``): this is the first pending result.
        case wakeLoop(WaiterID)
        /// The batch is full: write it now, in this submitter's task.
        case write
    }

    /// What the flush loop does when it asks for work.
    enum WaitAction: Equatable {
        /// Results are pending: wait the delay, then write.
        case work
        /// The batcher is closed or the loop was cancelled: write what is left and stop.
        case stop
        /// Nothing is pending: suspend until woken.
        case suspend
    }

    /// Identifies the suspended flush loop (the continuation is kept by the storage).
    typealias WaiterID = Int

    let maxPending: Int
    /// The store's file, for errors.
    let path: String
    private(set) var pending: [ResultRecord] = []
    /// The stage records of the pending results, written in the same transaction.
    private(set) var pendingStages: [ExampleStageRecord] = []
    private(set) var isClosed = false
    private(set) var failure: StoreError?
    private var writeDue = false
    private var loopStopped = false
    private var nextWaiterID = 0
    private(set) var waiter: WaiterID?

    init(maxPending: Int, path: String = "") {
        self.maxPending = max(1, maxPending)
        self.path = path
    }

    /// Appends `record` and its stage records; fails if the batcher is closed or failed.
    mutating func submit(
        _ record: ResultRecord, stages: [ExampleStageRecord] = []
    ) -> Result<SubmitAction, StoreError> {
        if let failure { return .failure(failure) }
        if isClosed {
            return .failure(
                StoreError(
                    code: .closed,
                    message: "the result batcher was closed before example '\(record.exampleId)' "
                        + "of run \(record.runId) was submitted", path: path))
        }
        pending.append(record)
        pendingStages += stages
        if pending.count >= maxPending, !writeDue {
            writeDue = true
            return .success(.write)
        }
        if let waiter {
            self.waiter = nil
            return .success(.wakeLoop(waiter))
        }
        return .success(.none)
    }

    /// Everything pending, now owned by the writer; called inside the write transaction.
    /// Fails once a write has failed.
    mutating func takeBatch() -> Result<[ResultRecord], StoreError> {
        if let failure { return .failure(failure) }
        writeDue = false
        defer { pending.removeAll(keepingCapacity: true) }
        return .success(pending)
    }

    /// The stage records of the results ``takeBatch()`` takes; call with it, under the same lock.
    mutating func takeStages() -> [ExampleStageRecord] {
        defer { pendingStages.removeAll(keepingCapacity: true) }
        return pendingStages
    }

    /// A write failed: the batcher is failed from now on, and every call reports `error`.
    mutating func writeFailed(_ error: StoreError) {
        failure = failure ?? error
    }

    /// The flush loop asks for work; on `.suspend` it waits under the returned id.
    mutating func waitForWork() -> (WaitAction, WaiterID?) {
        if isClosed || loopStopped { return (.stop, nil) }
        if !pending.isEmpty { return (.work, nil) }
        nextWaiterID += 1
        waiter = nextWaiterID
        return (.suspend, nextWaiterID)
    }

    /// The flush loop's task was cancelled: it stops; returns the waiter to resume with
    /// ``WaitAction/stop``, if it was suspended.
    mutating func cancelLoop() -> WaiterID? {
        loopStopped = true
        defer { waiter = nil }
        return waiter
    }

    /// Refuses further results; returns the suspended flush loop to resume with ``WaitAction/stop``, if any.
    mutating func close() -> WaiterID? {
        isClosed = true
        defer { waiter = nil }
        return waiter
    }
}
