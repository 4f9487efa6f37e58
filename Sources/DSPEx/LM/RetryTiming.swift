/// How the client waits between attempts: the sleep and the random source of the jitter, injected so that retry
/// tests run on a test clock instead of real time.
///
/// ```swift
/// var configuration = OpenAICompatibleLM.Configuration(model: "gpt-4o-mini")
/// configuration.retryTiming = RetryTiming(sleep: { waits.append($0) }, unit: { 0.5 })
/// ```
public struct RetryTiming: Sendable {
    /// Waits for a duration (throws when cancelled).
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A random number in `0 ..< 1` for the jitter.
    public var unit: @Sendable () -> Double

    /// Creates a timing.
    public init(
        sleep: @escaping @Sendable (Duration) async throws -> Void, unit: @escaping @Sendable () -> Double
    ) {
        self.sleep = sleep
        self.unit = unit
    }

    /// Real time and a uniformly random jitter.
    public static let live = RetryTiming(sleep: { try await Task.sleep(for: $0) }, unit: { Double.random(in: 0..<1) })
}
