import Foundation
import Synchronization
import Testing

@testable import DSPEx

@Suite struct ChoiceFanOutTests {
    /// Records the `n` of each request sent and answers like a server that allows `maxChoices`.
    final class Server: Sendable {
        let sent = Mutex<[Int?]>([])
        let refusal: LMError?
        let maxChoices: Int

        init(refusal: LMError?, maxChoices: Int = 1) {
            self.refusal = refusal
            self.maxChoices = maxChoices
        }

        func send(_ request: LMRequest) async throws -> LMResponse {
            sent.withLock { $0.append(request.n) }
            let wanted = request.n ?? 1
            if wanted > maxChoices, let refusal { throw refusal }
            let choices = (0..<min(wanted, maxChoices)).map { _ in LMResponse.Choice(text: "[[ ## answer ## ]]\n5") }
            return LMResponse(choices: choices, usage: TokenUsage(promptTokens: 10, completionTokens: 2))
        }
    }

    static func llamaCppRefusal() throws -> LMError {
        let body = try #require(try RecordedReplyTests.Recorded("n_refused").errorBody)
        #expect(body.contains("Value must be between 1 <= value <= 1"))
        return LMError(
            code: .httpStatus, message: "answered 400 Bad Request: " + OpenAICompatibleLM.serverMessage(body),
            status: 400
        )
    }

    @Test("llama.cpp's recorded 400 for n > 1 is answered with one-choice requests, then remembered")
    func refusedChoices() async throws {
        let server = Server(refusal: try Self.llamaCppRefusal())
        let fanOut = ChoiceFanOut()
        let request = LMRequest(model: "m", messages: [.user("hi")], n: 2)
        let first = try await fanOut.complete(request, send: server.send)
        #expect(first.choices.count == 2)
        #expect(first.usage == TokenUsage(promptTokens: 20, completionTokens: 4))
        #expect(server.sent.withLock { $0 } == [2, nil, nil])
        #expect(first.requests == 3)  // the refused request reached the server too

        let second = try await fanOut.complete(
            LMRequest(model: "m", messages: [.user("again")], n: 3), send: server.send)
        #expect(second.choices.count == 3)
        #expect(server.sent.withLock { $0 } == [2, nil, nil, nil, nil, nil])
        #expect(second.requests == 3)
    }

    @Test("a server that returns fewer choices than asked (as Ollama does) is topped up")
    func fewerChoices() async throws {
        let server = Server(refusal: nil)
        let response = try await ChoiceFanOut().complete(
            LMRequest(model: "m", messages: [.user("hi")], n: 3), send: server.send)
        #expect(response.choices.count == 3)
        #expect(server.sent.withLock { $0 } == [3, nil, nil])
        #expect(response.requests == 3)
    }

    @Test("a server that gives every choice is asked once")
    func allChoices() async throws {
        let server = Server(refusal: nil, maxChoices: 8)
        let response = try await ChoiceFanOut().complete(
            LMRequest(model: "m", messages: [.user("hi")], n: 4), send: server.send)
        #expect(response.choices.count == 4)
        #expect(server.sent.withLock { $0 } == [4])
    }

    @Test("a 400 that one-choice requests also get is reported, not hidden")
    func genuineBadRequest() async throws {
        let bad = LMError(code: .httpStatus, message: "answered 400: 'messages' is required", status: 400)
        let server = Server(refusal: bad, maxChoices: 0)
        await #expect(throws: LMError.self) {
            _ = try await ChoiceFanOut().complete(LMRequest(model: "m", messages: [], n: 2), send: server.send)
        }
    }
}
