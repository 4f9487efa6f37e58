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
    var bodyJSON: [UInt8] { encoded(withIdentity: false).body }

    /// ``cacheIdentity`` as sorted-key compact JSON, written directly: what the cache key hashes.
    var cacheIdentityJSON: [UInt8] { encoded(withIdentity: true).identity ?? [] }

    /// A member of the JSON object: the messages are written without building values for them.
    private enum Member {
        case messages
        case value(Value)
    }

    /// Where one message's escaped role and content sit in the body, to be copied into the identity.
    private struct EscapedMessage {
        var role: Range<Int>
        var content: Range<Int>
    }

    /// The body (``bodyJSON``) and, if asked, the cache identity (``cacheIdentityJSON``), written in one pass: both are
    /// compact JSON of the same strings, so each message's role and content are escaped once, into the body, and
    /// copied from there into the identity.
    func encoded(withIdentity: Bool) -> (body: [UInt8], identity: [UInt8]?) {
        var members = bodyMembers()
        var body: [UInt8] = []
        body.reserveCapacity(256 + messages.reduce(0) { $0 + $1.content.utf8.count + 32 })
        var escaped: [EscapedMessage] = []
        Self.writeObject(members, to: &body, format: .compact) { output in
            escaped.reserveCapacity(messages.count)
            writeMessages(to: &output) { escaped.append($0) }
        }
        guard withIdentity else { return (body, nil) }
        if let n { Self.set("n", .value(.int(n)), in: &members) }
        if let rolloutID { Self.set("rollout_id", .value(.int(rolloutID)), in: &members) }
        members.sort { $0.key < $1.key }
        var identity: [UInt8] = []
        identity.reserveCapacity(body.count + 32)
        Self.writeObject(members, to: &identity, format: JSONFormat(sortKeys: true)) { output in
            output.append(UInt8(ascii: "["))
            for (index, message) in escaped.enumerated() {
                output.append(contentsOf: index == 0 ? #"{"content":"#.utf8 : #",{"content":"#.utf8)
                output.append(contentsOf: body[message.content])
                output.append(contentsOf: #","role":"#.utf8)
                output.append(contentsOf: body[message.role])
                output.append(UInt8(ascii: "}"))
            }
            output.append(UInt8(ascii: "]"))
        }
        return (body, identity)
    }

    /// The body's members in ``body``'s order: a key of ``extra`` replaces a member of the same name in place.
    private func bodyMembers() -> [(key: String, member: Member)] {
        var members: [(key: String, member: Member)] = [("model", .value(.string(model))), ("messages", .messages)]
        members.reserveCapacity(8 + extra.count)
        if let temperature { members.append(("temperature", .value(.double(temperature)))) }
        if let maxTokens { members.append(("max_tokens", .value(.int(maxTokens)))) }
        if let n, n != 1 { members.append(("n", .value(.int(n)))) }
        if let responseFormat { members.append(("response_format", .value(responseFormat))) }
        if let stop { members.append(("stop", .value(.array(stop.map(Value.string))))) }
        for (key, value) in extra { Self.set(key, .value(value), in: &members) }
        return members
    }

    private static func set(_ key: String, _ member: Member, in members: inout [(key: String, member: Member)]) {
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].member = member
        } else {
            members.append((key, member))
        }
    }

    private static func writeObject(
        _ members: [(key: String, member: Member)], to output: inout [UInt8], format: JSONFormat,
        messages writeMessages: (inout [UInt8]) -> Void
    ) {
        output.append(UInt8(ascii: "{"))
        for (index, (key, member)) in members.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            Value.writeString(key, to: &output, escapeNonASCII: false)
            output.append(UInt8(ascii: ":"))
            switch member {
            case .messages: writeMessages(&output)
            case .value(let value): value.write(to: &output, format: format, level: 1)
            }
        }
        output.append(UInt8(ascii: "}"))
    }

    /// `[{"role":...,"content":...},...]`, reporting where each escaped role and content went.
    private func writeMessages(to output: inout [UInt8], escaped: (EscapedMessage) -> Void) {
        output.append(UInt8(ascii: "["))
        for (index, message) in messages.enumerated() {
            output.append(contentsOf: index == 0 ? #"{"role":"#.utf8 : #",{"role":"#.utf8)
            let roleStart = output.count
            Value.writeString(message.role, to: &output, escapeNonASCII: false)
            let role = roleStart..<output.count
            output.append(contentsOf: #","content":"#.utf8)
            let contentStart = output.count
            Value.writeString(message.content, to: &output, escapeNonASCII: false)
            escaped(EscapedMessage(role: role, content: contentStart..<output.count))
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
    }
}
