/// A limit on requests to a model held beyond this process — a run's request rate shared by every worker on every
/// machine — that each request waits at, besides the client's own limits (``RateLimiter``).
///
/// The gate in force is the task's ``RequestGates/current``: a worker sets it around a shard's evaluation, and every
/// call the evaluation makes (in its child tasks too) passes through it.
public protocol RequestGate: Sendable {
    /// Waits until one more request may be sent.
    func admit() async throws
}

/// Where the ``RequestGate`` in force is kept.
public enum RequestGates {
    /// The gate requests of this task and its child tasks wait at, if any.
    @TaskLocal public static var current: (any RequestGate)?
}
