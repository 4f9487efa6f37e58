import Foundation

/// A worker process's loop (`dspex worker`): claims a shard of any running evaluation in a shared store, evaluates
/// it while renewing its lease, marks it done, and completes the run when its shard was the last; then claims the
/// next. Many workers on many machines share the runs this way, the database coordinating them.
///
/// A worker that dies (SIGKILL, a lost network) stops renewing its lease; when the lease runs out another worker
/// claims the shard and evaluates what is not stored yet, so no finished example is lost or paid for twice. A
/// worker that loses its lease while still alive stops working on that shard.
///
/// ```swift
/// let worker = RunWorker(store: store, concurrency: 16)
/// try await worker.run(connector: HTTPLanguageModelConnector(), exitWhenIdle: true)
/// ```
public struct RunWorker: Sendable {
    /// What the worker did with one shard.
    public struct ShardOutcome: Sendable {
        /// The shard.
        public var claim: ShardClaim
        /// Its evaluation (the run's totals so far).
        public var evaluation: EvaluatedRun?
        /// Whether the shard is done (else it was given back, or its lease was lost).
        public var finished: Bool
        /// Whether it was the run's last shard: the run is complete.
        public var completedRun: Bool
    }

    /// The longest a working worker goes without a heartbeat (and a renewal of its lease).
    public static let heartbeatInterval: Duration = .seconds(2)

    /// The shared store.
    public var store: any ShardQueue
    /// Who this worker is.
    public var identity: WorkerIdentity
    /// How long a claim lasts without a renewal; renewed every third of it.
    public var lease: Duration
    /// Caps each stage's concurrency (this worker's own limit), over the runs' plans.
    public var concurrency: Int?
    /// How long an idle worker waits before looking for work again.
    public var idlePoll: Duration

    /// Creates a worker.
    public init(
        store: any ShardQueue, identity: WorkerIdentity = WorkerIdentity(), lease: Duration = .seconds(15),
        concurrency: Int? = nil, idlePoll: Duration = .milliseconds(500)
    ) {
        self.store = store
        self.identity = identity
        self.lease = lease
        self.concurrency = concurrency
        self.idlePoll = idlePoll
    }

    /// Works until cancelled, or — with `exitWhenIdle` — until every shard of the running runs is done.
    ///
    /// - Parameter onShard: Called after each shard, in this task.
    /// - Returns: How many shards this worker finished.
    @discardableResult
    public func run(
        connector: some LanguageModelConnector, exitWhenIdle: Bool = false, observer: RunObserver = RunObserver(),
        onShard: (ShardOutcome) -> Void = { _ in }
    ) async throws -> Int {
        var finished = 0
        while !Task.isCancelled {
            try await store.heartbeat(identity, runID: nil)
            guard let claim = try await store.claimShard(worker: identity, lease: lease) else {
                // Idle means no shard left at all: one another worker holds may yet come back when its lease ends.
                if exitWhenIdle, try await store.unfinishedShardCount() == 0 { break }
                try await Task.sleep(for: idlePoll)
                continue
            }
            let outcome = try await work(on: claim, connector: connector, observer: observer)
            if outcome.finished { finished += 1 }
            onShard(outcome)
        }
        return finished
    }

    /// Evaluates one claimed shard with its lease renewed beside it; finishes or gives back the shard.
    func work(
        on claim: ShardClaim, connector: some LanguageModelConnector, observer: RunObserver
    ) async throws -> ShardOutcome {
        let store = self.store
        let lease = self.lease
        let identity = self.identity
        let concurrency = self.concurrency
        let evaluated: Result<EvaluatedRun, any Error> = await withTaskGroup(of: Result<EvaluatedRun, any Error>?.self)
        { group in
            group.addTask {
                do {
                    return .success(
                        try await Run.evaluateShard(
                            claim, store: store, connector: connector, concurrency: concurrency, observer: observer))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                // Renews the lease; a lease lost to another worker ends this worker's evaluation of the shard.
                while true {
                    do {
                        try await Task.sleep(for: min(lease / 3, RunWorker.heartbeatInterval))
                        try await store.heartbeat(identity, runID: claim.runID)
                        if try await !store.renewLease(claim, lease: lease) { return .failure(LeaseLost()) }
                    } catch {
                        return nil  // cancelled: the evaluation ended
                    }
                }
            }
            var evaluation: Result<EvaluatedRun, any Error>?
            var leaseLost = false
            for await next in group {
                switch next {
                case nil: break
                case .failure(let error) where error is LeaseLost:
                    leaseLost = true
                    group.cancelAll()
                case let outcome?:
                    evaluation = outcome
                    group.cancelAll()
                }
            }
            return leaseLost ? .failure(LeaseLost()) : evaluation ?? .failure(CancellationError())
        }
        switch evaluated {
        case .success(let evaluation) where evaluation.result.stopReason == nil:
            let last = try await store.finishShard(claim)
            if last {
                try await store.updateRun(
                    id: claim.runID, status: RunRecord.Status.completed,
                    totals: try await store.totals(runID: claim.runID))
            }
            try await store.heartbeat(identity, runID: nil)
            return ShardOutcome(claim: claim, evaluation: evaluation, finished: true, completedRun: last)
        case .success(let evaluation):
            // Stopped part way (cancelled, a spent budget): the shard waits for the next worker.
            try await store.releaseShard(claim)
            if evaluation.result.stopReason == .cancelled { throw CancellationError() }
            return ShardOutcome(claim: claim, evaluation: evaluation, finished: false, completedRun: false)
        case .failure(let error) where error is LeaseLost:
            return ShardOutcome(claim: claim, evaluation: nil, finished: false, completedRun: false)
        case .failure(let error):
            try? await store.releaseShard(claim)
            throw error
        }
    }
}

/// The worker's lease on a shard ran out and another worker holds it now.
struct LeaseLost: Error {}
