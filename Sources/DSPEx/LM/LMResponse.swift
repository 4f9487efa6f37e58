/// A chat-completions reply.
public struct LMResponse: Sendable, Hashable, Codable {
    /// One sampled reply.
    public struct Choice: Sendable, Hashable, Codable {
        /// The reply text.
        public var text: String
        /// Why the model stopped (`stop`, `length`), when the server says.
        public var finishReason: String?

        /// Creates a choice.
        public init(text: String, finishReason: String? = "stop") {
            self.text = text
            self.finishReason = finishReason
        }
    }

    /// The sampled replies, at least one.
    public var choices: [Choice]
    /// Token counts reported by the server.
    public var usage: TokenUsage
    /// The model that answered, when the server says.
    public var model: String?
    /// Whether this reply came from a cache rather than the server.
    public var cached: Bool

    /// Creates a response.
    public init(choices: [Choice], usage: TokenUsage = TokenUsage(), model: String? = nil, cached: Bool = false) {
        self.choices = choices
        self.usage = usage
        self.model = model
        self.cached = cached
    }

    /// The first choice's text.
    public var text: String { choices.first?.text ?? "" }
}
