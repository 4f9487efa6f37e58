/// When and how long to wait before retrying a failed language-model call.
///
/// The default is exponential backoff with full jitter: before attempt *k + 1* the client waits a
/// random time in `0 ..< min(maxDelay, baseDelay × 2^(k-1))`, or at least what the server asked
/// for with `Retry-After`. Only errors whose ``LMError/isRetryable`` is true are retried.
///
/// ```swift
/// var configuration = OpenAICompatibleLM.Configuration(model: "gpt-4o-mini")
/// configuration.retry = .exponential(maxAttempts: 8, baseDelay: .milliseconds(100))
/// ```
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; 1 means no retry.
    public var maxAttempts: Int
    /// The backoff ceiling before the first retry.
    public var baseDelay: Duration
    /// The largest backoff ceiling.
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured; a server asking for more gets this.
    public var maxRetryAfter: Duration

    /// Exponential backoff with full jitter.
    public static func exponential(
        maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(20),
        maxRetryAfter: Duration = .seconds(60)
    ) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: max(1, maxAttempts), baseDelay: baseDelay, maxDelay: maxDelay, maxRetryAfter: maxRetryAfter)
    }

    /// Never retry.
    public static let none = RetryPolicy(
        maxAttempts: 1, baseDelay: .zero, maxDelay: .zero, maxRetryAfter: .zero)

    /// How long to wait after failed attempt number `attempt` (1-based).
    ///
    /// - Parameters:
    ///   - attempt: the attempt that just failed.
    ///   - retryAfter: the wait the server asked for, if any.
    ///   - unit: a random number in `0..<1` (injected so that tests are deterministic).
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, unit: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let jittered = ceiling * min(max(unit, 0), 1)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maxRetryAfter))
    }
}

extension RetryPolicy {
    /// Runs `attempt` (given its number, from 1) until it succeeds, fails with an error that is not retryable, or
    /// `maxAttempts` are spent, sleeping ``delay(afterAttempt:retryAfter:unit:)`` on `timing` between attempts. The
    /// error thrown carries the number of attempts made.
    func run<T>(timing: RetryTiming, _ attempt: (Int) async throws -> T) async throws -> T {
        var number = 1
        while true {
            do {
                return try await attempt(number)
            } catch let error as LMError {
                guard error.isRetryable, number < maxAttempts else {
                    var final = error
                    final.attempts = number
                    throw final
                }
                try await timing.sleep(delay(afterAttempt: number, retryAfter: error.retryAfter, unit: timing.unit()))
                number += 1
            }
        }
    }
}
