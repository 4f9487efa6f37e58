import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A lean HTTP/1.1 client for plain-`http://` endpoints — local model servers (vLLM, llama.cpp,
/// Ollama, the simulator), where answers come in milliseconds and the client's own CPU per call
/// bounds throughput.
///
/// A pool of keep-alive connections, each carrying one request at a time (the client's
/// concurrency limit bounds how many are open); a request's head, body and end go out in one
/// flush, and the whole response comes back to the caller in one resumption. Requests are encoded
/// here, with the constant part (request line and headers) made once. A request that finds
/// its reused connection closed by the server before any answer is sent once more on a new one.
/// `https://` endpoints use ``AsyncHTTPClientTransport``.
final class KeepAliveHTTP1Transport: HTTPTransport {
    private let endpoint: String
    private let host: String
    private let port: Int
    /// The request line and every header but the length, encoded once: `POST /v1/… HTTP/1.1\r\n…Content-Length: `.
    private let requestPrefix: [UInt8]
    private let connectTimeout: Duration
    private let maxIdleConnections: Int
    private let group: any EventLoopGroup
    private let pool = Mutex(Pool())

    private struct Pool {
        var idle: [HTTP1Connection] = []
        var isShutDown = false
    }

    /// Creates a transport for an `http://` URL; nil for any other scheme, or for a header name or
    /// value HTTP/1.1 cannot carry (AsyncHTTPClient then reports it).
    init?(
        endpoint: String, headers: HTTPHeaders, connectTimeout: Duration, maxConnections: Int,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        guard let url = URL(string: endpoint), url.scheme?.lowercased() == "http", let host = url.host,
            !host.isEmpty
        else { return nil }
        self.endpoint = endpoint
        self.host = host
        port = url.port ?? 80
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        var headers = headers
        let hostName = host.contains(":") ? "[\(host)]" : host  // an IPv6 literal keeps its brackets
        headers.replaceOrAdd(name: "Host", value: url.port == nil ? hostName : "\(hostName):\(port)")
        headers.remove(name: "Content-Length")
        headers.remove(name: "Transfer-Encoding")
        guard headers.allSatisfy({ Self.isToken($0.name) && Self.isFieldValue($0.value) }),
            path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        var prefix = "POST \(path) HTTP/1.1\r\n"
        for (name, value) in headers { prefix += "\(name): \(value)\r\n" }
        prefix += "Content-Length: "
        requestPrefix = Array(prefix.utf8)
        self.connectTimeout = connectTimeout
        maxIdleConnections = max(8, maxConnections)
        self.group = group
    }

    /// RFC 9110 `token`: a header name.
    private static func isToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (0x21...0x7E).contains(byte) && !#"()<>@,;:\"/[]?={}"#.utf8.contains(byte)
            }
    }

    /// A header value without control characters (no CR, LF or NUL to split the request).
    private static func isFieldValue(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }
    }

    /// The whole request for `body`.
    private func encodeRequest(_ body: [UInt8]) -> ByteBuffer {
        let length = String(body.count)
        var buffer = ByteBufferAllocator().buffer(capacity: requestPrefix.count + length.utf8.count + 4 + body.count)
        buffer.writeBytes(requestPrefix)
        buffer.writeString(length)
        buffer.writeStaticString("\r\n\r\n")
        buffer.writeBytes(body)
        return buffer
    }

    func post(_ body: [UInt8], timeout: Duration) async throws -> HTTPTransportResponse {
        let request = encodeRequest(body)
        var retriedClosedConnection = false
        while true {
            let (connection, reused) = try await checkOut()
            do {
                let response = try await exchange(request, timeout: timeout, on: connection)
                checkIn(connection, reusable: response.connectionReusable)
                return response
            } catch HTTP1ExchangeError.closedBeforeResponse
                where reused && !retriedClosedConnection && !Task.isCancelled
            {
                // The server closed an idle keep-alive connection as the request went out.
                retriedClosedConnection = true
                connection.channel.close(promise: nil)
            } catch {
                connection.channel.close(promise: nil)
                throw mapError(error, timeout: timeout)
            }
        }
    }

    func shutdown() async throws {
        let idle = pool.withLock { pool in
            pool.isShutDown = true
            defer { pool.idle.removeAll() }
            return pool.idle
        }
        // Every close at once, then wait for them: one at a time, hundreds of connections took tens of milliseconds.
        for connection in idle { connection.channel.close(promise: nil) }
        for connection in idle { try? await connection.channel.closeFuture.get() }
    }

    private func exchange(
        _ request: ByteBuffer, timeout: Duration, on connection: HTTP1Connection
    ) async throws -> HTTPTransportResponse {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                connection.channel.eventLoop.execute {
                    connection.handler.value.start(request, timeout: timeout, continuation: continuation)
                }
            }
        } onCancel: {
            connection.channel.close(promise: nil)
        }
    }

    /// An open idle connection, or a new one.
    private func checkOut() async throws -> (connection: HTTP1Connection, reused: Bool) {
        if Task.isCancelled { throw LMError(code: .cancelled, message: "the call to \(endpoint) was cancelled") }
        let shutDown = LMError(code: .configuration, message: "the client for \(endpoint) was shut down")
        let idle = try pool.withLock { pool throws(LMError) -> HTTP1Connection? in
            guard !pool.isShutDown else { throw shutDown }
            while let connection = pool.idle.popLast() {
                if connection.channel.isActive { return connection }
            }
            return nil
        }
        if let idle { return (idle, true) }
        do {
            return (try await connect(), false)
        } catch {
            throw mapError(error, timeout: connectTimeout)
        }
    }

    private func checkIn(_ connection: HTTP1Connection, reusable: Bool) {
        let kept = pool.withLock { pool in
            guard reusable, !pool.isShutDown, pool.idle.count < maxIdleConnections, connection.channel.isActive else {
                return false
            }
            pool.idle.append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    private func connect() async throws -> HTTP1Connection {
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers: [any ChannelHandler] = [
                        PreencodedRequestWriter(), ByteToMessageHandler(HTTPResponseDecoder()), HTTP1ExchangeHandler(),
                    ]
                    try channel.pipeline.syncOperations.addHandlers(handlers)
                }
            }
            .connect(host: host, port: port)
            .get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: HTTP1ExchangeHandler.self),
                eventLoop: channel.eventLoop)
        }.get()
        return HTTP1Connection(channel: channel, handler: handler)
    }

    private func mapError(_ error: any Error, timeout: Duration) -> LMError {
        if let error = error as? LMError { return error }
        if Task.isCancelled { return LMError(code: .cancelled, message: "the call to \(endpoint) was cancelled") }
        switch error {
        case HTTP1ExchangeError.timedOut:
            return LMError(code: .timeout, message: "\(endpoint) did not answer within \(timeout)")
        case ChannelError.connectTimeout:
            return LMError(code: .timeout, message: "connecting to \(endpoint) timed out")
        case let error as HTTP1ExchangeError:
            return LMError(code: .connection, message: "the call to \(endpoint) failed: \(error)")
        case let error as NIOConnectionError:
            if error.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return LMError(
                    code: .unreachable,
                    message: "could not connect to \(endpoint) (connection refused); is the server running?")
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return LMError(code: .unreachable, message: "could not resolve the host of \(endpoint)")
            }
            return .transport(error, endpoint: endpoint)
        default:
            return .transport(error, endpoint: endpoint)
        }
    }
}

/// A keep-alive connection and its exchange handler (usable on the connection's event loop only).
struct HTTP1Connection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<HTTP1ExchangeHandler>
}
