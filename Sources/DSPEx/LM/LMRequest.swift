import OrderedCollections

/// A chat-completions request, independent of any provider.
///
/// Options left `nil` are not sent, so the server's defaults apply.
public struct LMRequest: Sendable, Hashable {
    /// The model name as the server knows it (`gpt-4o-mini`, `dspex-sim`).
    public var model: String
    /// The conversation.
    public var messages: [ChatMessage]
    /// Sampling temperature.
    public var temperature: Double?
    /// The most tokens the reply may have.
    public var maxTokens: Int?
    /// How many choices to sample.
    public var n: Int?
    /// OpenAI's `response_format` object, for structured output.
    public var responseFormat: Value?
    /// Sequences that end the reply.
    public var stop: [String]?
    /// DSPy's rollout id: part of the cache key only, so that a new id gets a fresh sample.
    public var rolloutID: Int?
    /// Further provider options, sent as they are.
    public var extra: OrderedDictionary<String, Value>

    /// Creates a request.
    public init(
        model: String, messages: [ChatMessage], temperature: Double? = nil, maxTokens: Int? = nil, n: Int? = nil,
        responseFormat: Value? = nil, stop: [String]? = nil, rolloutID: Int? = nil,
        extra: OrderedDictionary<String, Value> = [:]
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.n = n
        self.responseFormat = responseFormat
        self.stop = stop
        self.rolloutID = rolloutID
        self.extra = extra
    }

    /// The JSON body sent to `/chat/completions` (no rollout id: servers do not know it).
    public var body: Value {
        var object: OrderedDictionary<String, Value> = [
            "model": .string(model),
            "messages": .array(messages.map(\.value)),
        ]
        if let temperature { object["temperature"] = .double(temperature) }
        if let maxTokens { object["max_tokens"] = .int(maxTokens) }
        if let n, n != 1 { object["n"] = .int(n) }
        if let responseFormat { object["response_format"] = responseFormat }
        if let stop { object["stop"] = .array(stop.map(Value.string)) }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    /// Everything that decides the reply, for the cache key: the body plus the rollout id.
    public var cacheIdentity: Value {
        guard case .object(var object) = body else { return body }
        if let n { object["n"] = .int(n) }
        if let rolloutID { object["rollout_id"] = .int(rolloutID) }
        return .object(object)
    }
}
