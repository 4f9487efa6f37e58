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

/// The cost of producing a prediction, a stage's work on an example, or a run.
public struct Usage: Sendable, Hashable, Codable {
    /// Calls the model answered.
    public var lmCalls: Int
    /// Calls answered from the cache (or by an identical call in flight), at no cost.
    public var cachedCalls: Int
    /// Calls that failed after their attempts (sent, and maybe paid for).
    public var failedCalls: Int
    /// HTTP requests sent: every attempt of every call, retries and one-choice requests of a fan-out included.
    public var requests: Int
    /// Tokens of the calls the model answered.
    public var tokens: TokenUsage
    /// Wall time.
    public var latency: Duration

    /// Creates usage; `requests` defaults to one per answered or failed call.
    public init(
        lmCalls: Int = 0, cachedCalls: Int = 0, failedCalls: Int = 0, tokens: TokenUsage = TokenUsage(),
        latency: Duration = .zero, requests: Int? = nil
    ) {
        self.lmCalls = lmCalls
        self.cachedCalls = cachedCalls
        self.failedCalls = failedCalls
        self.requests = requests ?? (lmCalls + failedCalls)
        self.tokens = tokens
        self.latency = latency
    }

    /// Retries and extra one-choice requests: requests beyond one per call.
    public var extraRequests: Int { max(0, requests - lmCalls - failedCalls) }

    /// The sum of two usages (latencies add, as for sequential stages).
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            lmCalls: lhs.lmCalls + rhs.lmCalls, cachedCalls: lhs.cachedCalls + rhs.cachedCalls,
            failedCalls: lhs.failedCalls + rhs.failedCalls, tokens: lhs.tokens + rhs.tokens,
            latency: lhs.latency + rhs.latency, requests: lhs.requests + rhs.requests)
    }
}
