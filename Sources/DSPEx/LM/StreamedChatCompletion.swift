/// A chat completion that arrived as a Server-Sent Events stream (`data: {…}` chunks ending with
/// `data: [DONE]`), as some gateways send even when no stream was asked for: the chunks' `delta.content`
/// (or `message.content`, or `text`) joined per choice index.
///
/// ```swift
/// let response = try StreamedChatCompletion.decode(body, endpoint: endpoint, redactor: redactor)
/// ```
enum StreamedChatCompletion {
    /// Whether `body` looks like an event stream rather than a JSON document.
    static func isEventStream(_ body: [UInt8], contentType: String?) -> Bool {
        if let contentType, contentType.lowercased().contains("text/event-stream") { return true }
        guard let first = body.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != 10 && $0 != 13 && $0 != 9 })
        else { return false }
        let head = body[first...].prefix(6)
        return head.starts(with: "data:".utf8) || head.starts(with: "event:".utf8) || head.starts(with: ":".utf8)
    }

    /// The reply assembled from the stream's chunks; the texts pass through `redactor`.
    ///
    /// - Throws: ``LMError`` with ``LMError/Code/invalidResponse`` when a chunk is not JSON, the stream carries an
    ///   `error`, or no chunk has a choice.
    static func decode(_ body: [UInt8], endpoint: String, redactor: SecretRedactor) throws -> LMResponse {
        var texts: [Int: String] = [:]
        var finishReasons: [Int: String] = [:]
        var usage = TokenUsage()
        var model: String?
        let text = String(decoding: body, as: UTF8.self)
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            guard line.hasPrefix("data:") else { continue }
            let payload = line.dropFirst(5).drop { $0 == " " }
            if payload == "[DONE]" { break }
            guard !payload.isEmpty else { continue }
            let chunk: Value
            do {
                chunk = try Value(json: String(payload))
            } catch {
                throw LMError(
                    code: .invalidResponse,
                    message: "\(endpoint) sent an event stream whose line \(lineNumber) is not JSON: \(error)")
            }
            if let error = chunk["error"], error != .null {
                let said = error["message"]?.stringValue ?? error.stringValue ?? "an error"
                throw LMError(
                    code: .invalidResponse, message: "\(endpoint) sent an error in its event stream: \(said)")
            }
            if let name = chunk["model"]?.stringValue { model = name }
            if let counts = chunk["usage"], counts != .null {
                usage = TokenUsage(
                    promptTokens: counts["prompt_tokens"]?.intValue ?? usage.promptTokens,
                    completionTokens: counts["completion_tokens"]?.intValue ?? usage.completionTokens)
            }
            for (position, choice) in (chunk["choices"]?.arrayValue ?? []).enumerated() {
                let index = choice["index"]?.intValue ?? position
                let piece =
                    choice["delta"]?["content"]?.stringValue ?? choice["message"]?["content"]?.stringValue
                    ?? choice["text"]?.stringValue ?? ""
                texts[index, default: ""] += piece
                if let reason = choice["finish_reason"]?.stringValue { finishReasons[index] = reason }
            }
        }
        guard !texts.isEmpty else {
            throw LMError(code: .invalidResponse, message: "\(endpoint) sent an event stream without choices")
        }
        let choices = texts.keys.sorted().map { index in
            LMResponse.Choice(
                text: redactor.redact(texts[index] ?? ""), finishReason: finishReasons[index].map(redactor.redact))
        }
        return LMResponse(choices: choices, usage: usage, model: model.map(redactor.redact))
    }
}
