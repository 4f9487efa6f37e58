/// A snapshot of what a ``SimulatorServer`` has served since it started or was reset.
///
/// `GET /stats` returns it as JSON; ``SimulatorServer/stats()`` returns it directly.
///
/// ```swift
/// let stats = server.stats()
/// #expect(stats.completions == 10)
/// #expect(stats.faults["rateLimited429", default: 0] == 2)
/// ```
public struct SimulatorStats: Codable, Sendable, Hashable {
    /// Chat-completion requests received (including faulted and rejected ones).
    public var requests: Int = 0
    /// Chat-completion requests answered with 200 (including malformed replies).
    public var completions: Int = 0
    /// Chat-completion requests rejected with 400 (bad JSON or missing fields).
    public var badRequests: Int = 0
    /// Chat-completion requests refused with 401 because the API key was missing or wrong.
    public var unauthorized: Int = 0
    /// Injected faults by ``FaultKind/name``.
    public var faults: [String: Int] = [:]
    /// Every HTTP request by path (`/v1/chat/completions`, `/health`, ...).
    public var byPath: [String: Int] = [:]
    /// Prompt tokens of answered requests (characters / 4, at least 1 per request).
    public var promptTokens: Int = 0
    /// Completion tokens of answered requests, summed over choices.
    public var completionTokens: Int = 0

    /// Empty stats.
    public init() {}

    /// The number of injected faults of every kind.
    public var totalFaults: Int {
        self.faults.values.reduce(0, +)
    }
}
