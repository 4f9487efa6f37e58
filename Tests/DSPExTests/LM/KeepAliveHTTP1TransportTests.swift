import DSPEx
import Foundation
import Synchronization
import Testing

/// The lean HTTP/1.1 client `OpenAICompatibleLM` uses for `http://` URLs, against servers that
/// treat their connections in the ways real servers do.
@Suite(.timeLimit(.minutes(3)))
struct KeepAliveHTTP1TransportTests {
    private func client(_ server: ScriptedHTTPServer, maxConcurrency: Int = 8) -> OpenAICompatibleLM {
        OpenAICompatibleLM(
            .init(
                model: "scripted", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil,
                timeout: .seconds(20), retry: .exponential(maxAttempts: 1), maxConcurrency: maxConcurrency, cache: nil))
    }

    private func call(_ lm: OpenAICompatibleLM, _ index: Int) async throws -> LMResponse {
        try await lm.call(LMRequest(model: lm.model, messages: [.user("call \(index)")]))
    }

    @Test("sequential calls share one keep-alive connection, with the URL's path and host")
    func sequentialCallsReuseOneConnection() async throws {
        try await ScriptedHTTPServer.with(.keepAlive) { server in
            let lm = client(server)
            for index in 0..<20 {
                #expect(try await call(lm, index).choices.first?.text == ScriptedHTTPServer.content)
            }
            try await lm.shutdown()
            let counts = server.counts.withLock { $0 }
            #expect(counts.requests == 20)
            #expect(counts.connections == 1)
            #expect(Set(counts.uris) == ["/v1/chat/completions"])
            #expect(Set(counts.hosts) == [String(server.baseURL.dropFirst("http://".count).dropLast("/v1".count))])
        }
    }

    @Test("concurrent calls open no more connections than the concurrency limit")
    func concurrentCallsAreBoundedByTheLimit() async throws {
        try await ScriptedHTTPServer.with(.keepAlive) { server in
            let lm = client(server, maxConcurrency: 4)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 { group.addTask { _ = try await call(lm, index) } }
                try await group.waitForAll()
            }
            try await lm.shutdown()
            let counts = server.counts.withLock { $0 }
            #expect(counts.requests == 60)
            #expect((1...4).contains(counts.connections))
        }
    }

    @Test("a reused connection the server closes before answering is replaced without a retry being counted")
    func closedIdleConnectionIsReplaced() async throws {
        try await ScriptedHTTPServer.with(.closeWhenReused) { server in
            let lm = client(server)
            let (_, usage) = try await withUsageScope { () async throws in
                for index in 0..<6 {
                    let reply = try await call(lm, index)
                    #expect(reply.choices.first?.text == ScriptedHTTPServer.content)
                }
            }
            try await lm.shutdown()
            #expect(usage.extraRequests == 0)
            let counts = server.counts.withLock { $0 }
            #expect(counts.requests == 6)
            #expect(counts.connections == 6)
        }
    }

    @Test("a reply with Connection: close is read and its connection is not reused")
    func connectionCloseIsHonoured() async throws {
        try await ScriptedHTTPServer.with(.connectionClose) { server in
            let lm = client(server)
            for index in 0..<5 {
                #expect(try await call(lm, index).choices.first?.text == ScriptedHTTPServer.content)
            }
            try await lm.shutdown()
            let counts = server.counts.withLock { $0 }
            #expect(counts.requests == 5)
            #expect(counts.connections == 5)
        }
    }

    @Test("a chunked reply sent in many pieces is read whole")
    func chunkedReplyIsReadWhole() async throws {
        try await ScriptedHTTPServer.with(.chunked) { server in
            let lm = client(server)
            let reply = try await call(lm, 0)
            #expect(reply.choices.first?.text == ScriptedHTTPServer.content)
            #expect(reply.usage.completionTokens == 5)
            _ = try await call(lm, 1)
            try await lm.shutdown()
            #expect(server.counts.withLock { $0.connections } == 1)
        }
    }

    @Test("cancelling a call in flight ends it at once and closes its connection")
    func cancellationClosesTheConnection() async throws {
        try await ScriptedHTTPServer.with(.neverReply) { server in
            let lm = client(server)
            // Timed from the cancellation (the wait for the request to arrive depends on the machine's load).
            let (result, sinceCancel) = await withTaskGroup(of: Result<LMResponse, any Error>.self) { group in
                group.addTask {
                    do { return .success(try await call(lm, 0)) } catch { return .failure(error) }
                }
                while server.counts.withLock({ $0.requests }) == 0 { try? await Task.sleep(for: .milliseconds(5)) }
                let cancelled = ContinuousClock.now
                group.cancelAll()
                let result = await group.next() ?? .failure(CancellationError())
                return (result, ContinuousClock.now - cancelled)
            }
            #expect(sinceCancel < .seconds(60))  // the server never replies: without the cancel it never ends
            switch result {
            case .success:
                Issue.record("a call to a server that never answers succeeded")
            case .failure(let error as LMError):
                #expect(error.code == .cancelled)
            case .failure(let error):
                #expect(error is CancellationError)
            }
            while server.counts.withLock({ $0.closedConnections }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            try await lm.shutdown()
        }
    }

    @Test("a call after shutdown fails with a clear error")
    func callAfterShutdownFails() async throws {
        try await ScriptedHTTPServer.with(.keepAlive) { server in
            let lm = client(server)
            _ = try await call(lm, 0)
            try await lm.shutdown()
            await #expect(throws: LMError.self) { try await call(lm, 1) }
        }
    }

    @Test("a configured header that would split the request is refused before anything is sent")
    func headerInjectionIsRefused() async throws {
        try await ScriptedHTTPServer.with(.keepAlive) { server in
            let lm = OpenAICompatibleLM(
                .init(
                    model: "scripted", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil,
                    retry: .exponential(maxAttempts: 1), cache: nil,
                    headers: ["X-Team": "blue\r\nX-Injected: 1"]))
            await #expect(throws: LMError.self) { try await call(lm, 0) }
            try await lm.shutdown()
            #expect(server.counts.withLock { $0.requests } == 0)
        }
    }
}
