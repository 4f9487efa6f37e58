import DSPExSim
import Foundation
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(3)))
struct FaultInjectionTests {
    static func configuration(_ faults: FaultInjection) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration()
        configuration.faults = faults
        return configuration
    }

    static let body = DSPyPrompt.arithmetic(reasoning: true).body(for: ["What is 2 + 3?"])

    @Test("serverError500 replies 500 with an OpenAI error body")
    func serverError() async throws {
        try await withSimulator(Self.configuration(.only(.serverError500))) { server in
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/chat/completions", body: Self.body)
            #expect(reply.status == 500)
            #expect(try reply.decode(OpenAIErrorBody.self).error.type == "server_error")
            #expect(server.stats().faults == ["serverError500": 1])
            #expect(server.stats().completions == 0)
        }
    }

    @Test("rateLimited429 replies 429 with Retry-After and retry-after-ms headers")
    func rateLimited() async throws {
        let faults = FaultInjection.only(.rateLimited429(retryAfterSeconds: 1.5))
        try await withSimulator(Self.configuration(faults)) { server in
            let reply = try await TestHTTPConnection.request(
                port: server.port, .POST, "/v1/chat/completions", body: Self.body)
            #expect(reply.status == 429)
            #expect(reply.header("retry-after") == "2")
            #expect(reply.header("retry-after-ms") == "1500")
            #expect(try reply.decode(OpenAIErrorBody.self).error.code == "rate_limit_exceeded")
            #expect(server.stats().faults == ["rateLimited429": 1])
        }
    }

    @Test("connectionReset closes the connection without a reply")
    func connectionReset() async throws {
        try await withSimulator(Self.configuration(.only(.connectionReset))) { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            await #expect(throws: TestHTTPError.connectionClosed) {
                _ = try await connection.send(.POST, "/v1/chat/completions", body: Self.body, timeout: .seconds(10))
            }
            await connection.close()
            #expect(server.stats().faults == ["connectionReset": 1])
        }
    }

    @Test("noReply holds the request until the client gives up, and the server keeps serving")
    func noReply() async throws {
        try await withSimulator(Self.configuration(.only(.noReply))) { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: TestHTTPError.timedOut) {
                _ = try await connection.send(
                    .POST, "/v1/chat/completions", body: Self.body, timeout: .milliseconds(300))
            }
            #expect(clock.now - start >= .milliseconds(300))
            await connection.close()
            let health = try await TestHTTPConnection.request(port: server.port, .GET, "/health")
            #expect(health.body == "ok")
            #expect(server.stats().faults == ["noReply": 1])
        }
    }

    @Test("malformedReply replies 200 with a field missing or prose outside the format")
    func malformed() async throws {
        try await withSimulator(Self.configuration(.only(.malformedReply))) { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            var sawMissingField = false
            var sawProse = false
            for value in 0..<12 {
                let body = DSPyPrompt.arithmetic(reasoning: true).body(for: ["What is \(value) + 3?"])
                let reply = try await connection.chat(body)
                #expect(reply.status == 200)
                let content = try reply.decode(ChatCompletionReply.self).content
                let names = chatSections(content).map(\.name)
                #expect(names != ["reasoning", "answer", "completed"])
                if names.isEmpty { sawProse = true } else { sawMissingField = true }
            }
            await connection.close()
            #expect(sawMissingField)
            #expect(sawProse)
            #expect(server.stats().faults == ["malformedReply": 12])
            #expect(server.stats().completions == 12)
        }
    }

    @Test("faults follow the seed and arrival order, are counted by kind, and are logged")
    func mixedFaults() async throws {
        var configuration = Self.configuration(
            FaultInjection(rate: 0.5, kinds: [.serverError500: 1, .rateLimited429: 1]))
        configuration.seed = 3
        let expected = (0..<40).map { configuration.faults.fault(seed: 3, requestIndex: $0)?.name }
        try await withSimulator(configuration) { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            var observed: [String?] = []
            for _ in 0..<40 {
                let reply = try await connection.chat(Self.body)
                switch reply.status {
                case 500: observed.append("serverError500")
                case 429: observed.append("rateLimited429")
                default: observed.append(nil)
                }
            }
            await connection.close()
            #expect(observed == expected)
            let stats = server.stats()
            #expect(stats.totalFaults == expected.compactMap { $0 }.count)
            #expect(stats.totalFaults > 5 && stats.totalFaults < 35)
            #expect(stats.completions == 40 - stats.totalFaults)
            #expect(server.recentRequests().map(\.fault) == expected)
        }
    }

    @Test("the fault rate and kind weights are honoured over many requests")
    func rateAndWeights() {
        let faults = FaultInjection(rate: 0.2, kinds: [.serverError500: 3, .noReply: 1])
        var counts: [String: Int] = [:]
        for index in 0..<20_000 {
            if let fault = faults.fault(seed: 11, requestIndex: index) { counts[fault.name, default: 0] += 1 }
        }
        let total = counts.values.reduce(0, +)
        #expect(abs(Double(total) / 20_000 - 0.2) < 0.02)
        #expect(abs(Double(counts["serverError500", default: 0]) / Double(total) - 0.75) < 0.03)
        #expect(FaultInjection.none.fault(seed: 11, requestIndex: 0) == nil)
    }
}
