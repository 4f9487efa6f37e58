import Foundation

/// One shard of a run shared by workers: a range of dataset positions, its state and its lease.
public struct ShardRecord: Sendable, Hashable, Codable {
    /// The shard's states.
    public enum Status {
        /// Waiting for a worker (or held by one under a lease).
        public static let pending = "pending"
        /// Every example of the shard is stored.
        public static let done = "done"
    }

    /// The run.
    public var runId: Int64
    /// The shard's number in the run, from 0.
    public var shard: Int
    /// The first dataset position.
    public var firstIndex: Int
    /// The position after the last.
    public var endIndex: Int
    /// ``Status`` `pending` or `done`.
    public var status: String
    /// The worker holding the lease, if any.
    public var leaseOwner: String?
    /// When the lease runs out.
    public var leaseExpires: Date?
    /// How many times a worker claimed the shard (more than 1: it was taken over).
    public var claims: Int
    /// The worker that finished it.
    public var finishedBy: String?

    /// Creates a record.
    public init(
        runId: Int64, shard: Int, firstIndex: Int, endIndex: Int, status: String, leaseOwner: String?,
        leaseExpires: Date?, claims: Int, finishedBy: String? = nil
    ) {
        self.finishedBy = finishedBy
        self.runId = runId
        self.shard = shard
        self.firstIndex = firstIndex
        self.endIndex = endIndex
        self.status = status
        self.leaseOwner = leaseOwner
        self.leaseExpires = leaseExpires
        self.claims = claims
    }

    /// The dataset positions.
    public var range: Range<Int> { firstIndex..<endIndex }
}

/// A shard a worker holds under a lease.
public struct ShardClaim: Sendable, Hashable {
    /// The run's id.
    public var runID: Int64
    /// The run's name.
    public var runName: String
    /// The shard's number.
    public var shard: Int
    /// The dataset positions to evaluate.
    public var range: Range<Int>
    /// The worker holding it.
    public var worker: WorkerIdentity

    /// Creates a claim.
    public init(runID: Int64, runName: String, shard: Int, range: Range<Int>, worker: WorkerIdentity) {
        self.runID = runID
        self.runName = runName
        self.shard = shard
        self.range = range
        self.worker = worker
    }
}
