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

/// Prompt and completion token counts.
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Tokens in the prompt.
    public var promptTokens: Int
    /// Tokens in the reply.
    public var completionTokens: Int

    /// Creates usage.
    public init(promptTokens: Int = 0, completionTokens: Int = 0) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// Prompt plus completion tokens.
    public var totalTokens: Int { promptTokens + completionTokens }

    /// The sum of two usages.
    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(
            promptTokens: lhs.promptTokens + rhs.promptTokens,
            completionTokens: lhs.completionTokens + rhs.completionTokens)
    }

    /// What is left of `lhs` without `rhs`.
    static func - (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(
            promptTokens: lhs.promptTokens - rhs.promptTokens,
            completionTokens: lhs.completionTokens - rhs.completionTokens)
    }
}
