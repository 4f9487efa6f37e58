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

    /// ``body`` as compact JSON, written directly (no `Value` tree for the messages): what is sent.
    var bodyJSON: [UInt8] { json(JSONFormat.compact, identity: false) }

    /// ``cacheIdentity`` as sorted-key JSON, written directly: what the cache key hashes.
    var cacheIdentityJSON: [UInt8] { json(JSONFormat(sortKeys: true), identity: true) }

    /// A member of the JSON object: the messages are written without building values for them.
    private enum Member {
        case messages
        case value(Value)
    }

    /// The same text as `body.jsonBytes(format)` (or `cacheIdentity`'s), with the same member order and overrides.
    private func json(_ format: JSONFormat, identity: Bool) -> [UInt8] {
        var members: OrderedDictionary<String, Member> = ["model": .value(.string(model)), "messages": .messages]
        if let temperature { members["temperature"] = .value(.double(temperature)) }
        if let maxTokens { members["max_tokens"] = .value(.int(maxTokens)) }
        if let n, n != 1 { members["n"] = .value(.int(n)) }
        if let responseFormat { members["response_format"] = .value(responseFormat) }
        if let stop { members["stop"] = .value(.array(stop.map(Value.string))) }
        for (key, value) in extra { members[key] = .value(value) }
        if identity {
            if let n { members["n"] = .value(.int(n)) }
            if let rolloutID { members["rollout_id"] = .value(.int(rolloutID)) }
        }
        var output: [UInt8] = []
        output.reserveCapacity(256 + messages.reduce(0) { $0 + $1.content.utf8.count + 32 })
        output.append(UInt8(ascii: "{"))
        let keys = format.sortKeys ? members.keys.sorted() : Array(members.keys)
        for (index, key) in keys.enumerated() {
            if index > 0 { output.append(contentsOf: format.itemSeparator.utf8) }
            Value.writeString(key, to: &output, escapeNonASCII: format.escapeNonASCII)
            output.append(contentsOf: format.keySeparator.utf8)
            switch members[key] {
            case .messages: writeMessages(to: &output, format: format)
            case .value(let value): value.write(to: &output, format: format, level: 1)
            case nil: output.append(contentsOf: "null".utf8)
            }
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// `[{"role": ..., "content": ...}, ...]`, keys sorted (content first) when the format sorts them.
    private func writeMessages(to output: inout [UInt8], format: JSONFormat) {
        if messages.isEmpty {
            output.append(contentsOf: "[]".utf8)
            return
        }
        output.append(UInt8(ascii: "["))
        for (index, message) in messages.enumerated() {
            if index > 0 { output.append(contentsOf: format.itemSeparator.utf8) }
            output.append(UInt8(ascii: "{"))
            let (first, second) =
                format.sortKeys
                ? (("content", message.content), ("role", message.role))
                : (("role", message.role), ("content", message.content))
            Value.writeString(first.0, to: &output, escapeNonASCII: format.escapeNonASCII)
            output.append(contentsOf: format.keySeparator.utf8)
            Value.writeString(first.1, to: &output, escapeNonASCII: format.escapeNonASCII)
            output.append(contentsOf: format.itemSeparator.utf8)
            Value.writeString(second.0, to: &output, escapeNonASCII: format.escapeNonASCII)
            output.append(contentsOf: format.keySeparator.utf8)
            Value.writeString(second.1, to: &output, escapeNonASCII: format.escapeNonASCII)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
    }
}
