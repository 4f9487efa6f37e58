import Foundation

/// A store that is also a work queue: a run's examples split into shards that worker processes (on any machine)
/// claim under a lease, renew by heartbeat and mark done; a worker that dies loses its lease when it runs out and
/// another worker takes the shard over. Results are upserts keyed by example, so an example finishes once however
/// many workers touched it.
///
/// The PostgreSQL store implements it (`SELECT … FOR UPDATE SKIP LOCKED`): the database is the coordinator.
///
/// ```swift
/// try await queue.enqueueShards(runID: id, examples: 100_000, shardSize: 500)
/// while let claim = try await queue.claimShard(worker: me, lease: .seconds(15)) {
///     // evaluate claim.range, renewing the lease, then:
///     _ = try await queue.finishShard(claim)
/// }
/// ```
public protocol ShardQueue: Store {
    /// Splits the first `examples` positions of the run's dataset into shards of `shardSize`; a run enqueued
    /// before keeps its shards.
    func enqueueShards(runID: Int64, examples: Int, shardSize: Int) async throws
    /// Claims a shard no live lease holds — a pending one of a running run, oldest run first, or one whose worker's
    /// lease ran out — for `lease`; `nil` when there is none.
    func claimShard(worker: WorkerIdentity, lease: Duration) async throws -> ShardClaim?
    /// Extends the claim's lease by `lease` from now; `false` when the worker no longer holds it (it ran out and
    /// another worker took the shard).
    func renewLease(_ claim: ShardClaim, lease: Duration) async throws -> Bool
    /// Gives a claimed shard back, pending, for another worker (a worker that stops before finishing it).
    func releaseShard(_ claim: ShardClaim) async throws
    /// Marks a claimed shard done; returns whether it was the run's last shard not done.
    func finishShard(_ claim: ShardClaim) async throws -> Bool
    /// How many shards of running runs are not done (claimed or not).
    func unfinishedShardCount() async throws -> Int
    /// Takes one request from the run's token bucket (refilled at `perMinute` a minute, holding at most one second's
    /// worth, at least 1), shared by all its workers; returns how long to wait before sending it (zero when a token
    /// was there).
    func reserveRequests(runID: Int64, perMinute: Int) async throws -> Duration
    /// The run's shards, in order.
    func shards(runID: Int64) async throws -> [ShardRecord]
    /// Records that `worker` is alive (its heartbeat), working on `runID` when given.
    func heartbeat(_ worker: WorkerIdentity, runID: Int64?) async throws
    /// The workers seen in the last `within`, newest heartbeat first.
    func workers(within: Duration) async throws -> [WorkerRecord]
}
