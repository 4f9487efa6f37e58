import DSPEx
import Synchronization

/// A language model for tests: answers each request from a script and records every request.
///
/// ```swift
/// let lm = ScriptedLM(replies: ["[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"])
/// let prediction = try await Predict("question -> answer", lm: lm)(["question": "What is 2 + 3?"])
/// lm.requests.count   // 1
/// ```
public final class ScriptedLM: LanguageModel {
    /// Decides the reply to a request; it may suspend (to simulate latency or wait on a gate).
    public typealias Responder = @Sendable (LMRequest) async throws -> String

    public let model: String
    private let responder: Responder
    private let recorded = Mutex<[LMRequest]>([])

    /// Answers with `replies` in order, repeating the last one when they run out.
    public convenience init(model: String = "scripted", replies: [String]) {
        let index = Mutex(0)
        self.init(model: model) { _ in
            index.withLock { position in
                defer { position += 1 }
                guard !replies.isEmpty else { return "" }
                return replies[min(position, replies.count - 1)]
            }
        }
    }

    /// Answers each request with `responder`; a thrown error fails the call.
    public init(model: String = "scripted", responder: @escaping Responder) {
        self.model = model
        self.responder = responder
    }

    public func complete(_ request: LMRequest) async throws -> LMResponse {
        recorded.withLock { $0.append(request) }
        let count = max(1, request.n ?? 1)
        var choices: [LMResponse.Choice] = []
        for _ in 0..<count { choices.append(LMResponse.Choice(text: try await responder(request))) }
        let promptCharacters = request.messages.reduce(0) { $0 + $1.content.count }
        return LMResponse(
            choices: choices,
            usage: TokenUsage(
                promptTokens: max(1, promptCharacters / 4),
                completionTokens: max(1, choices.reduce(0) { $0 + $1.text.count } / 4)),
            model: model)
    }

    /// Every request received, in order.
    public var requests: [LMRequest] { recorded.withLock { $0 } }
}
