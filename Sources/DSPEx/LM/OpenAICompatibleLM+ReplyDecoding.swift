import NIOHTTP1
import OrderedCollections

/// Reading what an OpenAI-compatible server answers: a chat completion's choices and usage (member by member, with
/// the secrets redacted), an error body's message and a `Retry-After` header.
extension OpenAICompatibleLM {
    /// The `message` of an OpenAI error body (or a plain `error` string), or nothing.
    static func serverMessage(_ body: String) -> String {
        guard let value = try? Value(json: body) else { return "" }
        return value["error"]?["message"]?.stringValue ?? value["error"]?.stringValue
            ?? value["message"]?.stringValue ?? value["detail"]?.stringValue ?? ""
    }

    /// The wait a 429 or 503 asks for: `retry-after-ms`, or `Retry-After` in seconds.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        if let milliseconds = headers.first(name: "retry-after-ms").flatMap(Double.init) {
            return .milliseconds(max(0, milliseconds))
        }
        if let seconds = headers.first(name: "retry-after").flatMap(Double.init) {
            return .milliseconds(max(0, seconds * 1000))
        }
        return nil
    }

    /// Reads a chat-completions JSON body: `choices[].message.content` (or a completion's `choices[].text`),
    /// `finish_reason`, `usage` and `model`, read member by member without building the rest of the reply.
    static func decodeResponse(_ body: [UInt8], endpoint: String, redactor: SecretRedactor = .none) throws
        -> LMResponse
    {
        var parser = JSONParser(bytes: body)
        var choices: [LMResponse.Choice]?
        var usage = TokenUsage()
        var model: String?
        do {
            if parser.peek() == UInt8(ascii: "{") {
                try parser.readObject { parser, key throws(JSONParseError) in
                    switch key {
                    case "choices" where parser.peek() == UInt8(ascii: "["):
                        var read: [LMResponse.Choice] = []
                        try parser.readArray { parser throws(JSONParseError) in
                            read.append(try readChoice(&parser, redactor: redactor))
                        }
                        choices = read
                    case "choices": _ = try parser.parseValue(); choices = nil
                    case "usage":
                        let value = try parser.parseValue()
                        usage = TokenUsage(
                            promptTokens: value["prompt_tokens"]?.intValue ?? 0,
                            completionTokens: value["completion_tokens"]?.intValue ?? 0)
                    case "model": model = try parser.parseValue().stringValue.map(redactor.redact)
                    default: _ = try parser.parseValue()
                    }
                }
            } else {
                _ = try parser.parseValue()
            }
            try parser.finishDocument()
        } catch {
            throw LMError(code: .invalidResponse, message: "\(endpoint) did not return JSON: \(error)")
        }
        guard let choices, !choices.isEmpty else {
            throw LMError(code: .invalidResponse, message: "\(endpoint) returned no 'choices'")
        }
        return LMResponse(choices: choices, usage: usage, model: model)
    }

    /// One element of `choices`: the message's content, else the completion text, else empty.
    private static func readChoice(_ parser: inout JSONParser, redactor: SecretRedactor) throws(JSONParseError)
        -> LMResponse.Choice
    {
        guard parser.peek() == UInt8(ascii: "{") else {
            _ = try parser.parseValue()
            return LMResponse.Choice(text: "", finishReason: nil)
        }
        var content: String?
        var text: String?
        var finishReason: String?
        var toolCalls: [Value]?
        try parser.readObject { parser, key throws(JSONParseError) in
            switch key {
            case "message" where parser.peek() == UInt8(ascii: "{"):
                content = nil
                try parser.readObject { parser, key throws(JSONParseError) in
                    let value = try parser.parseValue()
                    if key == "content" { content = value.stringValue }
                    if key == "tool_calls", let calls = value.arrayValue, !calls.isEmpty {
                        toolCalls = calls.map { redactor.redact(toolCall: $0) }
                    }
                }
            case "message": _ = try parser.parseValue(); content = nil
            case "text": text = try parser.parseValue().stringValue
            case "finish_reason": finishReason = try parser.parseValue().stringValue
            default: _ = try parser.parseValue()
            }
        }
        return LMResponse.Choice(
            text: redactor.redact(content ?? text ?? ""), finishReason: finishReason.map(redactor.redact),
            toolCalls: toolCalls)
    }
}

extension SecretRedactor {
    /// An OpenAI tool call (`{"id", "type", "function": {"name", "arguments"}}`, `arguments` a JSON string) as
    /// DSPEx keeps it — `{"id", "name", "args"}` with `args` an object (`{}` when the text is not one, as DSPy's
    /// `json_repair` leaves it) — with the client's secrets removed.
    func redact(toolCall: Value) -> Value {
        let function = toolCall["function"] ?? toolCall
        var args: Value = [:]
        switch function["arguments"] ?? function["args"] {
        case .string(let text)?:
            if let parsed = JSONParser.parseLenient(redact(text)), case .object = parsed { args = parsed }
        case .object(let object)?:
            args = .object(object)
        default: break
        }
        var call: OrderedDictionary<String, Value> = [:]
        if let id = toolCall["id"]?.stringValue { call["id"] = .string(redact(id)) }
        call["name"] = .string(redact(function["name"]?.stringValue ?? toolCall["name"]?.stringValue ?? ""))
        call["args"] = args
        return .object(call)
    }
}
