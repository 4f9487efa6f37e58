/// One entry of `GET /requests`: the final user message of a chat-completion request and
/// the fault injected into it, if any.
///
/// Tests use it to prove which examples a program sent:
///
/// ```swift
/// let sent = server.recentRequests().map(\.userMessage)
/// #expect(sent.contains { $0.contains("What is 2 + 3?") })
/// ```
public struct SimulatorRequestRecord: Codable, Sendable, Hashable {
    /// The arrival index since start or reset (0 for the first chat-completion request).
    public var index: Int
    /// The content of the request's final user message.
    public var userMessage: String
    /// The ``FaultKind/name`` of the injected fault, or nil when the request was answered normally.
    public var fault: String?
    /// A hash of the whole request body: equal for byte-identical requests, so tests can tell whether a client
    /// sent the same request twice (a resumed run must not re-send what it has stored).
    public var fingerprint: String?
    /// The request's `temperature`, if it had one.
    public var temperature: Double?
    /// The request's `max_tokens` (or `max_completion_tokens`), if it had one.
    public var maxTokens: Int?

    /// Creates a record.
    public init(
        index: Int, userMessage: String, fault: String?, fingerprint: String? = nil, temperature: Double? = nil,
        maxTokens: Int? = nil
    ) {
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.index = index
        self.userMessage = userMessage
        self.fault = fault
        self.fingerprint = fingerprint
    }
}
