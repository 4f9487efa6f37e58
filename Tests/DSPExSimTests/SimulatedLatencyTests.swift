import Foundation
import Testing

@testable import DSPExSim

@Suite(.timeLimit(.minutes(3)))
struct SimulatedLatencyTests {
    @Test("a fixed latency delays every reply by at least that long")
    func fixedLatency() async throws {
        var configuration = SimulatorConfiguration()
        configuration.latency = .fixed(milliseconds: 150)
        try await withSimulator(configuration) { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            let clock = ContinuousClock()
            for value in 0..<3 {
                let start = clock.now
                let reply = try await connection.chat(DSPyPrompt.arithmetic().body(for: ["What is \(value) + 1?"]))
                #expect(reply.status == 200)
                #expect(clock.now - start >= .milliseconds(150))
            }
            let health = try await connection.send(.GET, "/health")
            #expect(health.status == 200)
            await connection.close()
        }
    }

    @Test("delayed requests on many connections wait concurrently, not one after another")
    func concurrentDelays() async throws {
        var configuration = SimulatorConfiguration()
        configuration.latency = .fixed(milliseconds: 300)
        configuration.threads = 1
        try await withSimulator(configuration) { server in
            let port = server.port
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Int.self) { group in
                for value in 0..<10 {
                    group.addTask {
                        let body = DSPyPrompt.arithmetic().body(for: ["What is \(value) + 1?"])
                        return try await TestHTTPConnection.request(
                            port: port, .POST, "/v1/chat/completions", body: body
                        )
                        .status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            let elapsed = clock.now - start
            #expect(elapsed >= .milliseconds(300))
            // How much faster than one after another (10 × 300 ms) this is depends on the machine's load
            // while the whole suite runs in parallel; BENCHMARKS.md measures it (pipeline3-50ms).
        }
    }

    @Test("uniform latency is seeded, stays within its bounds and varies between requests")
    func uniformLatency() {
        let latency = SimulatedLatency.uniform(min: .milliseconds(10), max: .milliseconds(30))
        let delays = (0..<200).map { latency.delayNanoseconds(seed: 5, requestIndex: $0) }
        #expect(delays.allSatisfy { $0 >= 10_000_000 && $0 <= 30_000_000 })
        #expect(Set(delays).count > 100)
        #expect(delays == (0..<200).map { latency.delayNanoseconds(seed: 5, requestIndex: $0) })
        #expect(delays != (0..<200).map { latency.delayNanoseconds(seed: 6, requestIndex: $0) })
        #expect(SimulatedLatency.none.delayNanoseconds(seed: 5, requestIndex: 1) == 0)
        #expect(SimulatedLatency.fixed(milliseconds: 7).delayNanoseconds(seed: 5, requestIndex: 1) == 7_000_000)
    }
}
