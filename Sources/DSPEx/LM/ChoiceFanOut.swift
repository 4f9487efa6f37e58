import Synchronization

/// Gets `n` choices from servers that refuse or ignore `n > 1`.
///
/// llama.cpp's server answers a request with `n: 2` with 400 ("Field 'n': Value must be between
/// 1 <= value <= 1"); Ollama returns one choice whatever `n` says. For such servers the choices are
/// asked for as separate one-choice requests, sent at once, and merged into one response with the
/// usage summed. After a refusal that one-choice requests then answer, the client remembers that the
/// server wants single choices and splits later requests at once.
final class ChoiceFanOut: Sendable {
    /// Sends one request (with its retries) and returns the server's reply.
    typealias Send = @Sendable (LMRequest) async throws -> LMResponse

    private let singleChoiceOnly = Mutex(false)

    /// The reply to `request`, with `request.n` choices when the server gives fewer.
    func complete(_ request: LMRequest, send: @escaping Send) async throws -> LMResponse {
        let wanted = request.n ?? 1
        guard wanted > 1 else { return try await send(request) }
        if !singleChoiceOnly.withLock({ $0 }) {
            do {
                let response = try await send(request)
                guard response.choices.count < wanted else { return response }
                return try await topUp(response, request: request, missing: wanted - response.choices.count, send: send)
            } catch let error as LMError where error.status == 400 {
                var response = try await topUp(nil, request: request, missing: wanted, send: send)
                response.requests += error.attempts  // the refused request reached the server too
                singleChoiceOnly.withLock { $0 = true }
                return response
            }
        }
        return try await topUp(nil, request: request, missing: wanted, send: send)
    }

    /// `response` (if any) plus `missing` more choices from one-choice requests.
    private func topUp(_ response: LMResponse?, request: LMRequest, missing: Int, send: @escaping Send) async throws
        -> LMResponse
    {
        var single = request
        single.n = nil
        let replies = try await withThrowingTaskGroup(of: (Int, LMResponse).self) { group in
            for index in 0..<missing {
                group.addTask { [single] in (index, try await send(single)) }
            }
            var replies: [(Int, LMResponse)] = []
            for try await reply in group { replies.append(reply) }
            return replies.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var merged = response ?? LMResponse(choices: [], model: replies.first?.model, requests: 0)
        for reply in replies {
            merged.choices += reply.choices.prefix(1)
            merged.usage = merged.usage + reply.usage
            merged.requests += reply.requests
        }
        return merged
    }
}
