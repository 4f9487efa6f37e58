import DSPExSim
import Foundation
import Testing

@Suite(.timeLimit(.minutes(3)))
struct SimulatorEndpointTests {
    @Test("GET /health answers ok")
    func health() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(port: server.port, .GET, "/health")
            #expect(reply.status == 200)
            #expect(reply.body == "ok")
        }
    }

    @Test("GET /v1/models lists the configured model")
    func models() async throws {
        var configuration = SimulatorConfiguration()
        configuration.modelName = "sim-test-model"
        try await withSimulator(configuration) { server in
            let reply = try await TestHTTPConnection.request(port: server.port, .GET, "/v1/models")
            #expect(reply.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
            #expect(json["object"] as? String == "list")
            let data = try #require(json["data"] as? [[String: Any]])
            #expect(data.first?["id"] as? String == "sim-test-model")
        }
    }

    @Test("GET /stats counts requests, completions, paths and tokens")
    func stats() async throws {
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            _ = try await connection.send(.GET, "/health")
            _ = try await connection.chat(DSPyPrompt.arithmetic().body(for: ["What is 2 + 3?"]))
            _ = try await connection.chat(
                DSPyPrompt.arithmetic().body(for: ["What is 4 + 5?"]), path: "/chat/completions")
            let reply = try await connection.send(.GET, "/stats")
            await connection.close()
            let stats = try reply.decode(SimulatorStats.self)
            #expect(stats.requests == 2)
            #expect(stats.completions == 2)
            #expect(stats.byPath["/health"] == 1)
            #expect(stats.byPath["/v1/chat/completions"] == 1)
            #expect(stats.byPath["/chat/completions"] == 1)
            #expect(stats.promptTokens > 100)
            #expect(stats.completionTokens > 0)
            #expect(stats.faults.isEmpty)
            #expect(server.stats().completions == 2)
        }
    }

    @Test("POST /reset zeroes the stats and the request log")
    func reset() async throws {
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            _ = try await connection.chat(DSPyPrompt.arithmetic().body(for: ["What is 2 + 3?"]))
            #expect(server.stats().completions == 1)
            #expect(server.recentRequests().count == 1)
            let reply = try await connection.send(.POST, "/reset")
            await connection.close()
            #expect(reply.status == 200)
            #expect(server.stats().completions == 0)
            #expect(server.stats().requests == 0)
            #expect(server.recentRequests().isEmpty)
        }
    }

    @Test("GET /requests lists the final user message and fault of recent requests")
    func requestLog() async throws {
        var configuration = SimulatorConfiguration()
        configuration.requestLogLimit = 3
        try await withSimulator(configuration) { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            for value in 1...4 {
                _ = try await connection.chat(DSPyPrompt.arithmetic().body(for: ["What is \(value) + 1?"]))
            }
            let reply = try await connection.send(.GET, "/requests")
            await connection.close()
            let records = try reply.decode([SimulatorRequestRecord].self)
            #expect(records.map(\.index) == [1, 2, 3])
            #expect(records.allSatisfy { $0.fault == nil })
            #expect(records.last?.userMessage.hasPrefix("[[ ## question ## ]]\nWhat is 4 + 1?") == true)
        }
    }

    @Test("an unknown path is a 404 in OpenAI's error shape")
    func notFound() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(port: server.port, .GET, "/v1/nothing-here")
            #expect(reply.status == 404)
            let error = try reply.decode(OpenAIErrorBody.self).error
            #expect(error.type == "invalid_request_error")
            #expect(error.message.contains("/v1/nothing-here"))
            #expect(error.code == "unknown_url")
        }
    }

    @Test("a body that is not JSON is a 400 in OpenAI's error shape")
    func badJSON() async throws {
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            let reply = try await connection.chat("{\"model\": \"x\", \"messages\": [")
            let missing = try await connection.chat("{\"model\": \"x\"}")
            await connection.close()
            #expect(reply.status == 400)
            #expect(try reply.decode(OpenAIErrorBody.self).error.type == "invalid_request_error")
            #expect(missing.status == 400)
            #expect(try missing.decode(OpenAIErrorBody.self).error.message.contains("messages"))
            #expect(server.stats().badRequests == 2)
            #expect(server.stats().completions == 0)
        }
    }

    @Test("a known path with the wrong method is a 405")
    func wrongMethod() async throws {
        try await withSimulator { server in
            let reply = try await TestHTTPConnection.request(port: server.port, .GET, "/v1/chat/completions")
            #expect(reply.status == 405)
            #expect(try reply.decode(OpenAIErrorBody.self).error.code == "method_not_allowed")
        }
    }
}

/// OpenAI's error body: `{"error": {"message", "type", "code"}}`.
struct OpenAIErrorBody: Decodable {
    struct Detail: Decodable {
        var message: String
        var type: String
        var code: String?
    }

    var error: Detail
}
