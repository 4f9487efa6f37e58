import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The general-purpose transport: AsyncHTTPClient, with TLS, HTTP/2 and a connection pool sized
/// to the client's concurrency. Used for `https://` endpoints.
final class AsyncHTTPClientTransport: HTTPTransport {
    private let endpoint: String
    private let headers: HTTPHeaders
    private let client: HTTPClient

    init(endpoint: String, headers: HTTPHeaders, connectTimeout: Duration, maxConnections: Int) {
        self.endpoint = endpoint
        self.headers = headers
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: TimeAmount(connectTimeout)),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, maxConnections)))
        configuration.httpVersion = .automatic
        // Connection failures are retried by the client's own policy (or reported at once when the
        // server refuses), not silently for the whole connect timeout by the pool.
        configuration.connectionPool.retryConnectionEstablishment = false
        // No spans per request (the default is the global, usually no-op, tracer; its bookkeeping is per call).
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func post(_ body: [UInt8], timeout: Duration) async throws -> HTTPTransportResponse {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            let bytes = try await response.body.collect(upTo: HTTPTransportResponse.maxBodyBytes)
            return HTTPTransportResponse(status: response.status, headers: response.headers, body: bytes)
        } catch {
            throw mapError(error, timeout: timeout)
        }
    }

    func shutdown() async throws {
        try await client.shutdown()
    }

    private func mapError(_ error: any Error, timeout: Duration) -> LMError {
        guard let httpError = error as? HTTPClientError else { return .transport(error, endpoint: endpoint) }
        switch httpError {
        case .deadlineExceeded, .readTimeout:
            return LMError(code: .timeout, message: "\(endpoint) did not answer within \(timeout)")
        case .connectTimeout:
            return LMError(code: .timeout, message: "connecting to \(endpoint) timed out")
        case .cancelled:
            return LMError(code: .cancelled, message: "the call to \(endpoint) was cancelled")
        case .remoteConnectionClosed:
            return LMError(code: .connection, message: "\(endpoint) closed the connection before answering")
        default:
            return .transport(error, endpoint: endpoint)
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
