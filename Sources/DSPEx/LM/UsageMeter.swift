import Synchronization

/// Running totals of a language model's calls: sent, cached, failed, retried, and tokens.
public final class UsageMeter: Sendable {
    /// A snapshot of the totals.
    public struct Totals: Sendable, Hashable, Codable {
        /// Calls answered by the server.
        public var calls = 0
        /// Calls answered from the cache.
        public var cachedCalls = 0
        /// Calls that failed after retries.
        public var failures = 0
        /// Retries made.
        public var retries = 0
        /// Tokens used by calls answered by the server.
        public var tokens = TokenUsage()
    }

    private let totals = Mutex(Totals())

    /// Creates a meter at zero.
    public init() {}

    /// The current totals.
    public var snapshot: Totals { totals.withLock { $0 } }

    func recordCall(_ usage: TokenUsage) {
        totals.withLock {
            $0.calls += 1
            $0.tokens = $0.tokens + usage
        }
    }

    func recordCacheHit() { totals.withLock { $0.cachedCalls += 1 } }
    func recordFailure() { totals.withLock { $0.failures += 1 } }
    func recordRetry() { totals.withLock { $0.retries += 1 } }
}
