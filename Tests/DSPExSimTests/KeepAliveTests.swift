import DSPExSim
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)))
struct KeepAliveTests {
    @Test("one HTTP/1.1 connection serves many requests in turn")
    func manyRequestsOneConnection() async throws {
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            for value in 0..<50 {
                let reply = try await connection.chat(DSPyPrompt.arithmetic().body(for: ["What is \(value) + 1?"]))
                #expect(reply.status == 200)
                #expect(reply.header("connection") != "close")
            }
            let health = try await connection.send(.GET, "/health")
            #expect(health.body == "ok")
            await connection.close()
            #expect(server.stats().completions == 50)
        }
    }

    @Test("concurrent connections are all served")
    func concurrentConnections() async throws {
        try await withSimulator { server in
            let port = server.port
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for client in 0..<8 {
                    group.addTask {
                        let connection = try await TestHTTPConnection.connect(port: port)
                        var statuses: [Int] = []
                        for value in 0..<25 {
                            let body = DSPyPrompt.arithmetic().body(for: ["What is \(client) + \(value)?"])
                            statuses.append(try await connection.chat(body).status)
                        }
                        await connection.close()
                        return statuses
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(server.stats().completions == 200)
        }
    }
}
