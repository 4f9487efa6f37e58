/// A run's request rate shared by all its workers: a token bucket in the shared store (``ShardQueue``), refilled at
/// `perMinute` a minute with bursts of one second's worth; each request reserves a token there and waits for it.
public struct SharedRequestGate: RequestGate {
    /// The store holding the bucket.
    public var queue: any ShardQueue
    /// The run whose bucket it is.
    public var runID: Int64
    /// Requests allowed per minute, across every worker.
    public var perMinute: Int

    /// Creates a gate.
    public init(queue: any ShardQueue, runID: Int64, perMinute: Int) {
        self.queue = queue
        self.runID = runID
        self.perMinute = perMinute
    }

    public func admit() async throws {
        let wait = try await queue.reserveRequests(runID: runID, perMinute: perMinute)
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
