import OrderedCollections

/// Anything that answers chat-completion requests: a remote server, a scripted test double.
///
/// Modules take `any LanguageModel`, so tests inject a ``ScriptedLM`` (from DSPExTesting) and
/// programs talk to real servers through ``OpenAICompatibleLM``.
public protocol LanguageModel: Sendable {
    /// The model name sent with each request.
    var model: String { get }
    /// Sends one request and returns the reply.
    ///
    /// - Throws: ``LMError`` when the request fails after any retries.
    func complete(_ request: LMRequest) async throws -> LMResponse
}

extension LanguageModel {
    /// A request for this model with the given messages and options.
    public func request(_ messages: [ChatMessage], options: LMOptions = LMOptions()) -> LMRequest {
        LMRequest(
            model: model, messages: messages, temperature: options.temperature, maxTokens: options.maxTokens,
            n: options.n, responseFormat: options.responseFormat, stop: options.stop, rolloutID: options.rolloutID,
            extra: options.toolExtras)
    }
}

/// Per-call options a module passes to its language model.
public struct LMOptions: Sendable, Hashable {
    /// Sampling temperature.
    public var temperature: Double?
    /// The most tokens the reply may have.
    public var maxTokens: Int?
    /// How many choices to sample.
    public var n: Int?
    /// OpenAI's `response_format`.
    public var responseFormat: Value?
    /// Stop sequences.
    public var stop: [String]?
    /// DSPy's rollout id, for a fresh sample of an otherwise identical request.
    public var rolloutID: Int?
    /// OpenAI's `tools`: function definitions the model may call natively (see ``Tool/functionDefinition``).
    public var tools: [Value]?
    /// OpenAI's `tool_choice` (`"auto"`, `"required"`, or a named function).
    public var toolChoice: Value?

    /// Creates options; `nil` leaves the server's or the client's default.
    public init(
        temperature: Double? = nil, maxTokens: Int? = nil, n: Int? = nil, responseFormat: Value? = nil,
        stop: [String]? = nil, rolloutID: Int? = nil, tools: [Value]? = nil, toolChoice: Value? = nil
    ) {
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.n = n
        self.responseFormat = responseFormat
        self.stop = stop
        self.rolloutID = rolloutID
        self.tools = tools
        self.toolChoice = toolChoice
    }

    /// These options with `other`'s non-nil values taking precedence.
    public func merging(_ other: LMOptions) -> LMOptions {
        LMOptions(
            temperature: other.temperature ?? temperature, maxTokens: other.maxTokens ?? maxTokens,
            n: other.n ?? n, responseFormat: other.responseFormat ?? responseFormat, stop: other.stop ?? stop,
            rolloutID: other.rolloutID ?? rolloutID, tools: other.tools ?? tools,
            toolChoice: other.toolChoice ?? toolChoice)
    }

    /// `tools` and `tool_choice` as request body members.
    var toolExtras: OrderedDictionary<String, Value> {
        var extras = OrderedDictionary<String, Value>()
        if let tools { extras["tools"] = .array(tools) }
        if let toolChoice { extras["tool_choice"] = toolChoice }
        return extras
    }
}
