import Foundation
import NIOCore
import NIOHTTP1

/// Decides the response to every request the simulator receives, independent of networking.
///
/// The HTTP handler hands it a method, a path and a body and carries out the returned
/// ``SimulatorResponse``. Routes:
///
/// | route | reply |
/// | --- | --- |
/// | `POST /v1/chat/completions`, `POST /chat/completions` | an OpenAI chat completion (or an injected fault) |
/// | `POST /v1/embeddings`, `POST /embeddings` | deterministic embeddings (``SimulatedEmbeddings``; no faults or latency) |
/// | `GET /v1/models`, `GET /models` | the configured model |
/// | `GET /health` | `ok` |
/// | `GET /stats` | ``SimulatorStats`` as JSON |
/// | `GET /requests` | ``SimulatorRequestRecord``s as a JSON array |
/// | `POST /reset` | zeroes stats, log and arrival indices |
///
/// Anything else is a 404 in OpenAI's error shape; a bad chat-completion body is a 400.
final class SimulatorEngine: Sendable {
    let configuration: SimulatorConfiguration
    let recorder: SimulatorRecorder
    private let schemas = PromptSchemaCache()

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.recorder = SimulatorRecorder(requestLogLimit: configuration.requestLogLimit)
    }

    /// The response to one request.
    func respond(method: HTTPMethod, uri: String, body: ByteBuffer?, authorization: String? = nil) -> SimulatorResponse
    {
        let path = uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
        switch path {
        case "/v1/chat/completions", "/chat/completions":
            guard method == .POST else { return self.methodNotAllowed(method, path) }
            if let key = self.configuration.requiredAPIKey, authorization != "Bearer " + key {
                self.recorder.recordUnauthorized(path: path)
                return .error(
                    .unauthorized, message: "Incorrect API key provided.", type: "invalid_request_error",
                    code: "invalid_api_key")
            }
            return self.chatCompletion(path: path, body: body)
        case "/v1/embeddings", "/embeddings":
            self.recorder.countPath(path)
            guard method == .POST else { return self.methodNotAllowed(method, path) }
            if let key = self.configuration.requiredAPIKey, authorization != "Bearer " + key {
                return .error(
                    .unauthorized, message: "Incorrect API key provided.", type: "invalid_request_error",
                    code: "invalid_api_key")
            }
            return self.embeddings(body: body)
        default:
            break
        }
        self.recorder.countPath(path)
        switch (method, path) {
        case (.GET, "/health"), (.HEAD, "/health"):
            return SimulatorResponse(action: .reply(status: .ok, headers: [("content-type", "text/plain")], body: "ok"))
        case (.GET, "/v1/models"), (.GET, "/models"):
            return .json(.ok, self.modelsBody())
        case (.GET, "/stats"):
            return .json(.ok, Self.encode(self.recorder.stats()))
        case (.GET, "/requests"):
            return .json(.ok, Self.requestsBody(self.recorder.records()))
        case (.POST, "/reset"):
            self.recorder.reset()
            return .json(.ok, #"{"status":"reset"}"#)
        case (_, "/health"), (_, "/v1/models"), (_, "/models"), (_, "/stats"), (_, "/requests"), (_, "/reset"):
            return self.methodNotAllowed(method, path)
        default:
            return .error(
                .notFound, message: "Unknown request URL: \(method.rawValue) \(path).", type: "invalid_request_error",
                code: "unknown_url")
        }
    }

    private func methodNotAllowed(_ method: HTTPMethod, _ path: String) -> SimulatorResponse {
        .error(
            .methodNotAllowed, message: "Method \(method.rawValue) is not allowed on \(path).",
            type: "invalid_request_error", code: "method_not_allowed")
    }

    // MARK: Embeddings

    /// Deterministic embeddings of the inputs (``SimulatedEmbeddings``), or OpenAI's 400 for a bad body. Counted by
    /// path only: ``SimulatorStats/requests`` and its token totals are the chat completions'.
    private func embeddings(body: ByteBuffer?) -> SimulatorResponse {
        do {
            let request = try SimulatedEmbeddings.parseRequest(body)
            return .json(.ok, SimulatedEmbeddings.replyBody(request, defaultModel: self.configuration.modelName).body)
        } catch {
            return .error(.badRequest, message: error.message, type: error.type, code: error.code)
        }
    }

    // MARK: Chat completions

    private func chatCompletion(path: String, body: ByteBuffer?) -> SimulatorResponse {
        let request: ChatCompletionRequest
        do {
            request = try Self.parseRequest(body)
        } catch {
            self.recorder.recordBadRequest(path: path)
            return .error(.badRequest, message: error.message, type: error.type, code: error.code)
        }
        let analysis = PromptAnalysis(request: request, schemas: self.schemas)
        let seed = self.configuration.seed
        let faults = self.configuration.faults
        var hash = StableHash()
        if let body { hash.combine(bytes: body.readableBytesView) }
        let (index, fault) = self.recorder.admitChatRequest(
            path: path, userMessage: analysis.finalUserMessage, fingerprint: String(hash.finalize(), radix: 16),
            temperature: request.temperature, maxTokens: request.maxTokens
        ) {
            faults.fault(seed: seed, requestIndex: $0)
        }
        var response = self.chatResponse(request: request, analysis: analysis, index: index, fault: fault)
        response.delayNanoseconds = self.configuration.latency.delayNanoseconds(seed: seed, requestIndex: index)
        return response
    }

    private static func parseRequest(_ body: ByteBuffer?) throws(SimulatorRequestError) -> ChatCompletionRequest {
        guard let body, body.readableBytes > 0 else { throw .invalid("The request body is empty; send JSON.") }
        let parsed: Result<JSONValue, JSONParser.Failure> = body.withUnsafeReadableBytes { raw in
            Result { () throws(JSONParser.Failure) -> JSONValue in
                try JSONParser.parse(raw.bindMemory(to: UInt8.self))
            }
        }
        switch parsed {
        case .success(let json):
            return try ChatCompletionRequest(json: json)
        case .failure(let failure):
            throw .invalid("We could not parse the JSON body of your request: \(failure).")
        }
    }

    private func chatResponse(
        request: ChatCompletionRequest,
        analysis: PromptAnalysis,
        index: Int,
        fault: FaultKind?
    ) -> SimulatorResponse {
        switch fault?.name {
        case FaultKind.serverError500.name:
            return .error(
                .internalServerError,
                message: "The server had an error while processing your request. Sorry about that! (simulated)",
                type: "server_error", code: nil)
        case FaultKind.rateLimited429.name:
            let seconds = fault?.retryAfterSeconds ?? 1
            return .error(
                .tooManyRequests,
                message: "Rate limit reached for requests (simulated). Please try again in \(seconds)s.",
                type: "requests", code: "rate_limit_exceeded",
                headers: [
                    ("retry-after", String(Int(seconds.rounded(.up)))),
                    ("retry-after-ms", String(Int((seconds * 1000).rounded()))),
                ])
        case FaultKind.connectionReset.name:
            return SimulatorResponse(action: .resetConnection)
        case FaultKind.noReply.name:
            return SimulatorResponse(action: .holdForever)
        default:
            break
        }
        let composer = ReplyComposer(analysis: analysis, seed: self.configuration.seed)
        let malformed = fault?.name == FaultKind.malformedReply.name
        var variant = StableHash(seed: self.configuration.seed)
        variant.combine(index)
        variant.combine("malformed")
        let variantBits = variant.finalize()

        var promptCharacters = 0
        for message in request.messages { promptCharacters += message.content.utf8.count }
        let promptTokens = Self.tokens(promptCharacters)
        var completionTokens = 0

        var json = JSONWriter(capacity: 512)
        json.beginObject()
        json.key("id")
        json.string("chatcmpl-sim-\(index)-\(String(analysis.promptHash % 0x1_0000_0000, radix: 16))")
        json.key("object")
        json.string("chat.completion")
        json.key("created")
        json.integer(Int(Date().timeIntervalSince1970))
        json.key("model")
        json.string(request.model ?? self.configuration.modelName)
        json.key("choices")
        json.beginArray()
        for choice in 0..<request.choiceCount {
            var content =
                malformed
                ? composer.malformedContent(choice: choice, variantBits: variantBits &+ UInt64(choice))
                : composer.content(choice: choice)
            var finishReason = "stop"
            for stop in request.stop where !stop.isEmpty {
                if let range = content.range(ofASCII: stop) { content = String(content[..<range.lowerBound]) }
            }
            if let maxTokens = request.maxTokens, Self.tokens(content.utf8.count) > maxTokens {
                content = String(decoding: content.utf8.prefix(maxTokens * 4), as: UTF8.self)
                finishReason = "length"
            }
            let toolCall = malformed ? nil : Self.nativeToolCall(request: request, analysis: analysis)
            if toolCall != nil {
                content = ""
                finishReason = "tool_calls"
            }
            completionTokens += Self.tokens(content.utf8.count)
            json.beginObject()
            json.key("index")
            json.integer(choice)
            json.key("message")
            json.beginObject()
            json.key("role")
            json.string("assistant")
            json.key("content")
            json.string(content)
            if let toolCall {
                json.key("tool_calls")
                json.beginArray()
                json.beginObject()
                json.key("id")
                json.string("call_sim_\(index)_\(choice)")
                json.key("type")
                json.string("function")
                json.key("function")
                json.beginObject()
                json.key("name")
                json.string(toolCall.name)
                json.key("arguments")
                json.string(toolCall.arguments)
                json.endObject()
                json.endObject()
                json.endArray()
            }
            json.endObject()
            json.key("logprobs")
            json.null()
            json.key("finish_reason")
            json.string(finishReason)
            json.endObject()
        }
        json.endArray()
        json.key("usage")
        json.beginObject()
        json.key("prompt_tokens")
        json.integer(promptTokens)
        json.key("completion_tokens")
        json.integer(completionTokens)
        json.key("total_tokens")
        json.integer(promptTokens + completionTokens)
        json.endObject()
        json.endObject()
        self.recorder.recordCompletion(promptTokens: promptTokens, completionTokens: completionTokens)
        return .json(.ok, json.text)
    }

    /// The native tool call for a request carrying `tools` that asks "What is A + B?" and holds no tool result yet:
    /// a calculator-like tool (a name containing `calc`) gets `"A + B"` as its first argument, a tool taking two
    /// arguments (such as `add(a, b)`) gets A and B. `nil` when no listed tool fits, so the reply is text.
    static func nativeToolCall(
        request: ChatCompletionRequest, analysis: PromptAnalysis
    ) -> (name: String, arguments: String)? {
        guard !request.tools.isEmpty, !request.hasToolResult, let problem = analysis.arithmetic else { return nil }
        var json = JSONWriter()
        if let calculator = request.tools.first(where: { $0.name.lowercased().contains("calc") }),
            let argument = calculator.arguments.first
        {
            json.beginObject()
            json.key(argument)
            json.string("\(problem.a) + \(problem.b)")
            json.endObject()
            return (calculator.name, json.text)
        }
        if let adder = request.tools.first(where: { $0.arguments.count == 2 }) {
            json.beginObject()
            json.key(adder.arguments[0])
            json.integer(problem.a)
            json.key(adder.arguments[1])
            json.integer(problem.b)
            json.endObject()
            return (adder.name, json.text)
        }
        return nil
    }

    /// Tokens for a text of `characters` UTF-8 bytes: a quarter, at least 1.
    static func tokens(_ characters: Int) -> Int {
        max(1, characters / 4)
    }

    // MARK: Other endpoints

    private func modelsBody() -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("object")
        json.string("list")
        json.key("data")
        json.beginArray()
        json.beginObject()
        json.key("id")
        json.string(self.configuration.modelName)
        json.key("object")
        json.string("model")
        json.key("created")
        json.integer(0)
        json.key("owned_by")
        json.string("dspex-sim")
        json.endObject()
        json.endArray()
        json.endObject()
        return json.text
    }

    private static func requestsBody(_ records: [SimulatorRequestRecord]) -> String {
        var json = JSONWriter(capacity: records.count * 128 + 2)
        json.beginArray()
        for record in records {
            json.beginObject()
            json.key("index")
            json.integer(record.index)
            json.key("userMessage")
            json.string(record.userMessage)
            json.key("fault")
            if let fault = record.fault { json.string(fault) } else { json.null() }
            json.key("fingerprint")
            if let fingerprint = record.fingerprint { json.string(fingerprint) } else { json.null() }
            json.endObject()
        }
        json.endArray()
        return json.text
    }

    private static func encode(_ stats: SimulatorStats) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(stats) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
