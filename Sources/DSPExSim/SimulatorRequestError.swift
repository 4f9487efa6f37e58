/// Why the simulator rejected a request with a 4xx status.
///
/// Its ``message`` is sent to the client in OpenAI's error shape.
struct SimulatorRequestError: Error, Sendable, Equatable {
    var status: Int
    var type: String
    var code: String
    var message: String

    /// A malformed or incomplete request body (400).
    static func invalid(_ message: String) -> SimulatorRequestError {
        SimulatorRequestError(status: 400, type: "invalid_request_error", code: "invalid_request", message: message)
    }
}
