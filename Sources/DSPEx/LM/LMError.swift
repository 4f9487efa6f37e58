/// A language-model call that failed, with what a user needs to act on it.
///
/// ``isRetryable`` says whether trying again may help (rate limits, server errors, timeouts,
/// dropped connections); other client errors such as 401 are final. The description never
/// contains a secret.
public struct LMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The server could not be reached at all (connection refused, unknown host).
        public static let unreachable = Code(name: "unreachable")
        /// The server answered with an HTTP error status.
        public static let httpStatus = Code(name: "http_status")
        /// The server could not be reached or the connection broke.
        public static let connection = Code(name: "connection")
        /// No reply arrived within the timeout.
        public static let timeout = Code(name: "timeout")
        /// The reply was not the chat-completions JSON expected.
        public static let invalidResponse = Code(name: "invalid_response")
        /// The configuration is unusable (a missing API key, a bad URL).
        public static let configuration = Code(name: "configuration")
        /// A run's call or token budget is spent.
        public static let budgetExhausted = Code(name: "budget_exhausted")
        /// The call was cancelled.
        public static let cancelled = Code(name: "cancelled")
        /// The server refused the credentials (HTTP 401 or 403): no call of the run can succeed.
        public static let authentication = Code(name: "authentication")
        /// The server does not serve the model (HTTP 404): no call of the run can succeed.
        public static let unknownModel = Code(name: "unknown_model")
        /// The prompt is longer than the model's context window (HTTP 400 saying so): shorten it, do not retry.
        public static let contextWindowExceeded = Code(name: "context_window_exceeded")
    }

    /// Whether a server's error text says the prompt exceeded the context window, as OpenAI
    /// (`context_length_exceeded`), vLLM ("maximum context length") and llama.cpp ("exceeds the available context
    /// size") word it.
    static func saysContextWindowExceeded(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return [
            "context_length_exceeded", "maximum context length", "context window", "context size",
            "context length",
        ].contains { lowered.contains($0) }
    }

    /// The kind of failure.
    public var code: Code
    /// One sentence saying what happened.
    public var message: String
    /// The HTTP status, for ``Code/httpStatus``.
    public var status: Int?
    /// How long the server asked the client to wait, from `Retry-After` or `retry-after-ms`.
    public var retryAfter: Duration?
    /// How many attempts were made before giving up.
    public var attempts: Int

    /// Creates an error.
    public init(code: Code, message: String, status: Int? = nil, retryAfter: Duration? = nil, attempts: Int = 1) {
        self.code = code
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
        self.attempts = attempts
    }

    /// Whether another attempt may succeed: 408, 409, 429 and 5xx statuses, timeouts and
    /// connections that broke. A server that refuses connections is not retried: it is down
    /// or the URL is wrong, and failing fast says so.
    public var isRetryable: Bool {
        switch code {
        case .connection, .timeout: return true
        case .httpStatus:
            guard let status else { return false }
            return status == 408 || status == 409 || status == 429 || status >= 500
        default: return false
        }
    }

    /// Whether no later call of the run can succeed either — a rejected key, an unknown model, an unusable
    /// configuration — so the run stops (resumably, nothing recorded for the examples in flight) instead of
    /// recording every example as failed.
    public var isRunFatal: Bool {
        code == .authentication || code == .unknownModel || code == .configuration
    }

    /// Whether the run must stop here: a fatal error or a spent budget. The example that met it is not done.
    public var stopsRun: Bool { isRunFatal || code == .budgetExhausted }

    public var description: String {
        var text = message
        if let status, !text.contains(String(status)) { text += " (HTTP \(status))" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }
}
