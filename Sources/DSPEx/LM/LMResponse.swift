/// A chat-completions reply.
public struct LMResponse: Sendable, Hashable, Codable {
    /// One sampled reply.
    public struct Choice: Sendable, Hashable, Codable {
        /// The reply text.
        public var text: String
        /// Why the model stopped (`stop`, `length`, `tool_calls`), when the server says.
        public var finishReason: String?
        /// The functions the model called natively, each `{"id", "name", "args"}` (`args` a JSON object); `nil`
        /// when it called none.
        public var toolCalls: [Value]?

        /// Creates a choice.
        public init(text: String, finishReason: String? = "stop", toolCalls: [Value]? = nil) {
            self.text = text
            self.finishReason = finishReason
            self.toolCalls = toolCalls
        }
    }

    /// The sampled replies, at least one.
    public var choices: [Choice]
    /// Token counts reported by the server.
    public var usage: TokenUsage
    /// The model that answered, when the server says.
    public var model: String?
    /// Whether this reply came from a cache (or an identical call in flight) rather than the server.
    public var cached: Bool
    /// The HTTP requests this reply took: its attempts, and the one-choice requests of a fan-out (not stored with a
    /// cached reply).
    public var requests: Int = 1

    private enum CodingKeys: String, CodingKey {
        case choices, usage, model, cached
    }

    /// Creates a response.
    public init(
        choices: [Choice], usage: TokenUsage = TokenUsage(), model: String? = nil, cached: Bool = false,
        requests: Int = 1
    ) {
        self.choices = choices
        self.usage = usage
        self.model = model
        self.cached = cached
        self.requests = requests
    }

    /// The first choice's text.
    public var text: String { choices.first?.text ?? "" }
}
