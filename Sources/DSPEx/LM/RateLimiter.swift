import Synchronization

/// A token bucket shared by every caller of a client: at most `perMinute` units a minute, with bursts
/// up to `burst`. Callers reserve their units and sleep until their reservation is due, so waiting is
/// fair and needs no queue.
///
/// Used for `requests_per_minute` (one unit per call) and `tokens_per_minute` (the prompt's estimated
/// tokens before a call, the reply's tokens after it).
public final class RateLimiter: Sendable {
    /// A monotonic time source and a way to wait, injectable for tests.
    public struct Timing: Sendable {
        /// Time elapsed since an arbitrary fixed origin.
        public var now: @Sendable () -> Duration
        /// Suspends for a duration.
        public var sleep: @Sendable (Duration) async throws -> Void

        /// Creates a timing source.
        public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void)
        {
            self.now = now
            self.sleep = sleep
        }

        /// Real time.
        public static var continuous: Timing {
            let origin = ContinuousClock.now
            return Timing(now: { ContinuousClock.now - origin }, sleep: { try await Task.sleep(for: $0) })
        }
    }

    private struct State {
        var available: Double
        var updated: Duration
    }

    /// Units allowed per minute.
    public let perMinute: Double
    /// The most units available at once.
    public let burst: Double
    private let timing: Timing
    private let state: Mutex<State>

    /// Creates a limiter allowing `perMinute` units a minute; `burst` defaults to one second's worth (at least 1).
    public init(perMinute: Double, burst: Double? = nil, timing: Timing = .continuous) {
        self.perMinute = max(perMinute, 0.000_001)
        let burst = burst ?? max(1, perMinute / 60)
        self.burst = burst
        self.timing = timing
        state = Mutex(State(available: burst, updated: timing.now()))
    }

    /// Waits until `cost` units may be spent, then spends them.
    public func acquire(_ cost: Double = 1) async throws {
        let wait = reserve(cost)
        if wait > .zero { try await timing.sleep(wait) }
    }

    /// Spends `cost` units after the fact (e.g. completion tokens); later callers wait for the debt.
    public func charge(_ cost: Double) {
        _ = reserve(cost)
    }

    /// Takes `cost` units now (possibly going into debt) and returns how long the caller must wait.
    func reserve(_ cost: Double) -> Duration {
        let ratePerSecond = perMinute / 60
        return state.withLock { state in
            let now = timing.now()
            let elapsed = now - state.updated
            let seconds = elapsed.seconds
            state.available = min(burst, state.available + seconds * ratePerSecond)
            state.updated = now
            state.available -= cost
            guard state.available < 0 else { return .zero }
            return .milliseconds(Int((-state.available / ratePerSecond * 1000).rounded(.up)))
        }
    }
}
