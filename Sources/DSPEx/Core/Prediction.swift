import OrderedCollections

/// What a module returns: its output values, every sampled completion, and what it cost.
///
/// ```swift
/// let prediction = try await Predict("question -> answer", lm: lm)(["question": "What is 2 + 3?"])
/// prediction["answer"]        // "5"
/// prediction.usage.lmCalls    // 1
/// ```
public struct Prediction: Sendable, Hashable {
    /// The outputs of the first completion, in signature order.
    public var outputs: OrderedDictionary<String, Value>
    /// The outputs of every completion (more than one when `n > 1`).
    public var completions: [OrderedDictionary<String, Value>]
    /// Calls, tokens and time spent producing it.
    public var usage: Usage

    /// Creates a prediction; `completions` defaults to just `outputs`.
    public init(
        _ outputs: OrderedDictionary<String, Value>, completions: [OrderedDictionary<String, Value>]? = nil,
        usage: Usage = Usage()
    ) {
        self.outputs = outputs
        self.completions = completions ?? [outputs]
        self.usage = usage
    }

    /// The output named `key`.
    public subscript(key: String) -> Value? {
        get { outputs[key] }
        set { outputs[key] = newValue }
    }
}

/// The cost of producing a prediction.
public struct Usage: Sendable, Hashable, Codable {
    /// Calls that reached the model.
    public var lmCalls: Int
    /// Calls answered from the cache.
    public var cachedCalls: Int
    /// Tokens of the calls that reached the model.
    public var tokens: TokenUsage
    /// Wall time of the module call.
    public var latency: Duration

    /// Creates usage.
    public init(lmCalls: Int = 0, cachedCalls: Int = 0, tokens: TokenUsage = TokenUsage(), latency: Duration = .zero) {
        self.lmCalls = lmCalls
        self.cachedCalls = cachedCalls
        self.tokens = tokens
        self.latency = latency
    }

    /// The sum of two usages (latencies add, as for sequential stages).
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            lmCalls: lhs.lmCalls + rhs.lmCalls, cachedCalls: lhs.cachedCalls + rhs.cachedCalls,
            tokens: lhs.tokens + rhs.tokens, latency: lhs.latency + rhs.latency)
    }

    /// What is left of `lhs` without `rhs` (a part of it already counted elsewhere).
    static func - (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            lmCalls: lhs.lmCalls - rhs.lmCalls, cachedCalls: lhs.cachedCalls - rhs.cachedCalls,
            tokens: lhs.tokens - rhs.tokens, latency: lhs.latency - rhs.latency)
    }
}
