/// The fields of an OpenAI chat-completion request that the simulator reads.
///
/// Built from a parsed body with ``init(json:)``, which rejects bodies a real
/// server would reject with 400 (no `messages`, wrong types, `n` out of range).
struct ChatCompletionRequest: Sendable {
    var model: String?
    var messages: [ChatMessage]
    var temperature: Double?
    var maxTokens: Int?
    var choiceCount: Int
    var responseFormat: JSONValue?
    var stop: [String]
    /// The functions of OpenAI's `tools` (native tool calling), with their argument names in order.
    var tools: [AgentTool] = []
    /// Whether a message already carries a tool's result (role `tool`).
    var hasToolResult = false

    /// The most choices one request may ask for.
    static let maximumChoiceCount = 128

    /// Reads a request body, throwing a message suitable for a 400 reply.
    init(json: JSONValue) throws(SimulatorRequestError) {
        guard case .object = json else { throw .invalid("The request body must be a JSON object.") }
        self.model = json["model"]?.stringValue
        guard let rawMessages = json["messages"]?.arrayValue else {
            throw .invalid("'messages' is a required property and must be an array.")
        }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(rawMessages.count)
        for (position, rawMessage) in rawMessages.enumerated() {
            guard let role = rawMessage["role"]?.stringValue else {
                throw .invalid("'messages.\(position).role' is a required string.")
            }
            messages.append(ChatMessage(role: role, content: Self.text(of: rawMessage["content"])))
        }
        guard !messages.isEmpty else { throw .invalid("'messages' must contain at least one message.") }
        self.messages = messages
        self.temperature = json["temperature"]?.numberValue
        if let maxTokens = json["max_tokens"]?.numberValue ?? json["max_completion_tokens"]?.numberValue {
            guard maxTokens >= 1, maxTokens < 1e9 else { throw .invalid("'max_tokens' must be a positive integer.") }
            self.maxTokens = Int(maxTokens)
        }
        let choiceCount = json["n"]?.numberValue ?? 1
        guard choiceCount >= 1, choiceCount <= Double(Self.maximumChoiceCount) else {
            throw .invalid("'n' must be between 1 and \(Self.maximumChoiceCount).")
        }
        self.choiceCount = Int(choiceCount)
        if let format = json["response_format"], format != .null {
            self.responseFormat = format
        }
        for tool in json["tools"]?.arrayValue ?? [] {
            guard let name = tool["function"]?["name"]?.stringValue else { continue }
            let properties = tool["function"]?["parameters"]?["properties"]?.objectValue ?? []
            self.tools.append(AgentTool(name: name, arguments: properties.map(\.key)))
        }
        self.hasToolResult = rawMessages.contains { $0["role"]?.stringValue == "tool" }
        switch json["stop"] {
        case .string(let single): self.stop = [single]
        case .array(let many): self.stop = many.compactMap(\.stringValue)
        default: self.stop = []
        }
    }

    /// Whether `response_format` asks for a JSON object (`json_object` or `json_schema`).
    var wantsJSON: Bool {
        guard let type = self.responseFormat?["type"]?.stringValue else { return false }
        return type == "json_object" || type == "json_schema"
    }

    /// The JSON schema of a `json_schema` response format.
    var responseSchema: JSONValue? {
        self.responseFormat?["json_schema"]?["schema"]
    }

    private static func text(of content: JSONValue?) -> String {
        switch content {
        case .string(let text):
            return text
        case .array(let parts):
            return parts.compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
        default:
            return ""
        }
    }
}
