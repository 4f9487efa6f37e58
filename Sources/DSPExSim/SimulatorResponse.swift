import NIOHTTP1

/// What the HTTP handler should do with one request, decided by ``SimulatorEngine``.
struct SimulatorResponse: Sendable {
    /// The outcome.
    enum Action: Sendable {
        /// Send an HTTP response.
        case reply(status: HTTPResponseStatus, headers: [(String, String)], body: String)
        /// Reset the connection without a reply.
        case resetConnection
        /// Never answer; wait for the client to go away.
        case holdForever
    }

    var action: Action
    /// How long to wait before acting, in nanoseconds.
    var delayNanoseconds: Int64 = 0

    /// A JSON reply.
    static func json(_ status: HTTPResponseStatus, _ body: String, headers: [(String, String)] = []) -> Self {
        SimulatorResponse(
            action: .reply(status: status, headers: [("content-type", "application/json")] + headers, body: body))
    }

    /// A reply in OpenAI's error shape: `{"error": {"message", "type", "param", "code"}}`.
    static func error(
        _ status: HTTPResponseStatus,
        message: String,
        type: String,
        code: String?,
        headers: [(String, String)] = []
    ) -> Self {
        var json = JSONWriter()
        json.beginObject()
        json.key("error")
        json.beginObject()
        json.key("message")
        json.string(message)
        json.key("type")
        json.string(type)
        json.key("param")
        json.null()
        json.key("code")
        if let code { json.string(code) } else { json.null() }
        json.endObject()
        json.endObject()
        return .json(status, json.text, headers: headers)
    }
}
