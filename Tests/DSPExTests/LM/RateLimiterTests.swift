import DSPEx
import Synchronization
import Testing

@Suite struct RateLimiterTests {
    /// A fake clock: `sleep` advances time instead of waiting.
    final class FakeTime: Sendable {
        let elapsed = Mutex<Duration>(.zero)
        var timing: RateLimiter.Timing {
            RateLimiter.Timing(
                now: { self.elapsed.withLock { $0 } },
                sleep: { duration in self.elapsed.withLock { $0 += duration } })
        }
    }

    @Test("calls within the burst pass at once, later ones wait for the rate")
    func tokenBucket() async throws {
        let time = FakeTime()
        let limiter = RateLimiter(perMinute: 60, burst: 2, timing: time.timing)
        try await limiter.acquire()
        try await limiter.acquire()
        #expect(time.elapsed.withLock { $0 } == .zero)
        try await limiter.acquire()
        #expect(time.elapsed.withLock { $0 } == .seconds(1))
        try await limiter.acquire()
        #expect(time.elapsed.withLock { $0 } == .seconds(2))
    }

    @Test("charging after the fact makes the next caller wait for the debt")
    func debt() async throws {
        let time = FakeTime()
        let limiter = RateLimiter(perMinute: 600, burst: 10, timing: time.timing)
        try await limiter.acquire(10)
        limiter.charge(20)
        try await limiter.acquire(1)
        #expect(time.elapsed.withLock { $0 } == .milliseconds(2100))
    }

    @Test("N calls at R per minute take about N / R minutes")
    func sustainedRate() async throws {
        let time = FakeTime()
        let limiter = RateLimiter(perMinute: 1200, burst: 1, timing: time.timing)
        for _ in 0..<100 { try await limiter.acquire() }
        let elapsed = time.elapsed.withLock { $0 }
        #expect(elapsed >= .milliseconds(4900) && elapsed <= .milliseconds(5000))
    }
}
