import struct DSPEx.SeededGenerator

/// How long the simulator waits before answering each chat-completion request.
///
/// The delay is applied with the event loop's timer, so waiting requests cost no thread.
/// ``uniform(min:max:)`` draws each delay from the server's seed and the request's arrival
/// index, so a run with the same seed and request order waits the same amounts.
///
/// ```swift
/// var configuration = SimulatorConfiguration()
/// configuration.latency = .fixed(milliseconds: 20)
/// configuration.latency = .uniform(min: .milliseconds(5), max: .milliseconds(50))
/// ```
public struct SimulatedLatency: Sendable, Hashable, CustomStringConvertible {
    /// The shortest delay.
    public let minimum: Duration
    /// The longest delay (equal to ``minimum`` for a fixed latency).
    public let maximum: Duration

    private init(minimum: Duration, maximum: Duration) {
        self.minimum = max(minimum, .zero)
        self.maximum = Swift.max(self.minimum, maximum)
    }

    /// Answer immediately.
    public static let none = SimulatedLatency(minimum: .zero, maximum: .zero)

    /// Wait the same time before every reply.
    public static func fixed(milliseconds: Int) -> SimulatedLatency {
        .fixed(.milliseconds(milliseconds))
    }

    /// Wait the same time before every reply.
    public static func fixed(_ delay: Duration) -> SimulatedLatency {
        SimulatedLatency(minimum: delay, maximum: delay)
    }

    /// Wait a seeded, uniformly distributed time in `min...max` before each reply.
    public static func uniform(min: Duration, max: Duration) -> SimulatedLatency {
        SimulatedLatency(minimum: min, maximum: max)
    }

    /// Wait a seeded, uniformly distributed number of milliseconds in `min...max` before each reply.
    public static func uniform(minMilliseconds: Int, maxMilliseconds: Int) -> SimulatedLatency {
        .uniform(min: .milliseconds(minMilliseconds), max: .milliseconds(maxMilliseconds))
    }

    public var description: String {
        self.minimum == self.maximum ? "fixed(\(self.minimum))" : "uniform(\(self.minimum)...\(self.maximum))"
    }

    /// The delay for the request that arrived `requestIndex`-th, in nanoseconds.
    func delayNanoseconds(seed: UInt64, requestIndex: Int) -> Int64 {
        let low = Self.nanoseconds(self.minimum)
        let high = Self.nanoseconds(self.maximum)
        guard high > low else { return low }
        var hash = StableHash(seed: seed)
        hash.combine(requestIndex)
        hash.combine("latency")
        let fraction = SeededGenerator.unitInterval(hash.finalize())
        return low + Int64(Double(high - low) * fraction)
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
