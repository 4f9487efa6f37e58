import Foundation

extension Store {
    /// The reply stored under `key` (a request's ``LMRequest/cacheKey``), or `nil`; its ``LMResponse/cached`` is set.
    ///
    /// - Throws: ``StoreError`` with ``StoreError/Code/invalidData`` if the stored JSON is not a reply.
    public func cachedResponse(forKey key: String) async throws -> LMResponse? {
        try await cachedReplyText(forKey: key).map { try LMResponse(cachedJSON: $0, key: key, path: location) }
    }

    /// Stores replies by key in one transaction; an existing key is overwritten.
    public func storeResponses(_ entries: [(key: String, response: LMResponse)]) async throws {
        try await storeCachedReplies(LMResponse.records(entries))
    }
}

extension LMResponse {
    /// The cache table's rows for `entries`, all stamped now.
    static func records(_ entries: [(key: String, response: LMResponse)]) -> [LMCacheRecord] {
        let now = Date()
        return entries.map { LMCacheRecord(key: $0.key, response: $0.response.storedJSON, createdAt: now) }
    }

    /// A reply read back from the cache table, marked ``cached``.
    ///
    /// - Throws: ``StoreError`` with ``StoreError/Code/invalidData`` if the text is not a reply.
    init(cachedJSON text: String, key: String, path: String) throws {
        if let response = LMResponse(storedJSON: text) {
            self = response
        } else {
            do {
                self = try JSONDecoder().decode(LMResponse.self, from: Data(text.utf8))
            } catch {
                throw StoreError(
                    code: .invalidData,
                    message: "the cached reply \(key.prefix(12))… in \(path) is not a valid reply: \(error)", path: path
                )
            }
        }
        cached = true
    }

    /// The reply as the cache stores it: the JSON `JSONEncoder` writes with sorted keys (the `cached` flag
    /// false), written directly.
    var storedJSON: String {
        var output: [UInt8] = []
        output.reserveCapacity(96 + choices.reduce(0) { $0 + $1.text.utf8.count + 40 } + (model?.utf8.count ?? 0))
        output.append(contentsOf: #"{"cached":false,"choices":["#.utf8)
        for (index, choice) in choices.enumerated() {
            output.append(contentsOf: index == 0 ? "{".utf8 : ",{".utf8)
            if let finishReason = choice.finishReason {
                output.append(contentsOf: #""finishReason":"#.utf8)
                Value.writeString(finishReason, to: &output, escapeNonASCII: false)
                output.append(UInt8(ascii: ","))
            }
            output.append(contentsOf: #""text":"#.utf8)
            Value.writeString(choice.text, to: &output, escapeNonASCII: false)
            if let toolCalls = choice.toolCalls {
                output.append(contentsOf: #","toolCalls":"#.utf8)
                output.append(contentsOf: Value.array(toolCalls).jsonString().utf8)
            }
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
        if let model {
            output.append(contentsOf: #","model":"#.utf8)
            Value.writeString(model, to: &output, escapeNonASCII: false)
        }
        output.append(contentsOf: #","usage":{"completionTokens":"#.utf8)
        output.append(contentsOf: String(usage.completionTokens).utf8)
        output.append(contentsOf: #","promptTokens":"#.utf8)
        output.append(contentsOf: String(usage.promptTokens).utf8)
        output.append(contentsOf: "}}".utf8)
        return String(decoding: output, as: UTF8.self)
    }

    /// A reply read back from ``storedJSON`` (or any JSON of the same shape); `nil` if it has another shape.
    init?(storedJSON text: String) {
        guard let value = try? Value(json: text), case .array(let choiceValues)? = value["choices"],
            let usage = value["usage"], let prompt = usage["promptTokens"]?.intValue,
            let completion = usage["completionTokens"]?.intValue
        else { return nil }
        var choices: [Choice] = []
        for choiceValue in choiceValues {
            guard let text = choiceValue["text"]?.stringValue else { return nil }
            choices.append(
                Choice(
                    text: text, finishReason: choiceValue["finishReason"]?.stringValue,
                    toolCalls: choiceValue["toolCalls"]?.arrayValue))
        }
        self.init(
            choices: choices, usage: TokenUsage(promptTokens: prompt, completionTokens: completion),
            model: value["model"]?.stringValue, cached: value["cached"]?.boolValue ?? false)
    }
}
