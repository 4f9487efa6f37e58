import NIOCore
import NIOHTTP1

/// What ``OpenAICompatibleLM`` needs from HTTP: POST a JSON body to the endpoint and get the
/// whole answer back. Implementations map their own failures to ``LMError``.
protocol HTTPTransport: Sendable {
    /// Sends `body` and returns the complete response, or throws an ``LMError``.
    func post(_ body: [UInt8], timeout: Duration) async throws -> HTTPTransportResponse
    /// Closes the transport's connections; later posts fail.
    func shutdown() async throws
}

/// A complete HTTP response: status, headers and the whole body.
struct HTTPTransportResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
    /// Whether the connection may carry another request.
    var connectionReusable: Bool = true

    /// The largest response body a transport accepts.
    static let maxBodyBytes = 64 * 1024 * 1024
}

extension LMError {
    /// The failure of a call that never produced an HTTP response, in words a user can act on.
    static func transport(_ error: any Error, endpoint: String) -> LMError {
        if error is CancellationError {
            return LMError(code: .cancelled, message: "the call to \(endpoint) was cancelled")
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("connection refused") || text.contains("ECONNREFUSED") {
            return LMError(
                code: .unreachable,
                message: "could not connect to \(endpoint) (connection refused); is the server running?")
        }
        if text.contains("reset") || text.contains("Broken pipe") || error is ChannelError || error is IOError {
            return LMError(code: .connection, message: "the connection to \(endpoint) broke: \(text)")
        }
        return LMError(code: .connection, message: "the call to \(endpoint) failed: \(text)")
    }
}
