import NIOCore
import NIOHTTP1

/// Why an exchange on a keep-alive connection ended without a response.
enum HTTP1ExchangeError: Error, Equatable, CustomStringConvertible {
    /// The server closed the connection (without an error) before any part of the response.
    case closedBeforeResponse
    /// The server closed the connection in the middle of the response.
    case closedDuringResponse
    /// No complete response within the exchange's timeout.
    case timedOut
    /// The response body was larger than ``HTTPTransportResponse/maxBodyBytes``.
    case bodyTooLarge
    /// A second request was written while one was in flight (a pool bug, never expected).
    case busy

    var description: String {
        switch self {
        case .closedBeforeResponse: "the server closed the connection before answering"
        case .closedDuringResponse: "the server closed the connection in the middle of its answer"
        case .timedOut: "no answer within the timeout"
        case .bodyTooLarge: "the answer was larger than \(HTTPTransportResponse.maxBodyBytes) bytes"
        case .busy: "a request was sent on a busy connection"
        }
    }
}

/// Runs one request/response exchange at a time on a keep-alive HTTP/1.1 connection: writes the
/// pre-encoded request (through ``PreencodedRequestWriter``, with one flush), collects the response,
/// and resumes the caller once with the whole response, a timeout, or the reason the connection ended.
///
/// Confined to its channel's event loop: ``start(_:timeout:continuation:)`` is called there.
final class HTTP1ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// What the response decoder is told about each request: only the method matters to it (a reply
    /// to HEAD has no body); the bytes on the wire come from the exchange.
    private static let announcedHead = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/")

    private var context: ChannelHandlerContext?
    private var pending: UnsafeContinuation<HTTPTransportResponse, any Error>?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var deadline: Scheduled<Void>?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(HTTP1ExchangeError.closedBeforeResponse))
        self.context = nil
    }

    /// Sends `request` and resumes `continuation` with the answer; on the channel's event loop.
    func start(
        _ request: ByteBuffer, timeout: Duration, continuation: UnsafeContinuation<HTTPTransportResponse, any Error>
    ) {
        guard let context, context.channel.isActive else {
            continuation.resume(throwing: HTTP1ExchangeError.closedBeforeResponse)
            return
        }
        guard pending == nil else {
            continuation.resume(throwing: HTTP1ExchangeError.busy)
            return
        }
        pending = continuation
        head = nil
        body = nil
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.finish(.failure(HTTP1ExchangeError.timedOut))
            context.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(Self.announcedHead)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(request))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard pending != nil else {
            // Nothing was asked: a server speaking out of turn cannot be trusted with the next request.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
        case .body(var part):
            if body == nil {
                body = part
            } else {
                body?.writeBuffer(&part)
            }
            if (body?.readableBytes ?? 0) > HTTPTransportResponse.maxBodyBytes {
                finish(.failure(HTTP1ExchangeError.bodyTooLarge))
                context.close(promise: nil)
            }
        case .end:
            guard let head else {
                finish(.failure(HTTP1ExchangeError.closedDuringResponse))
                context.close(promise: nil)
                return
            }
            let response = HTTPTransportResponse(
                status: head.status, headers: head.headers, body: body ?? ByteBuffer(),
                connectionReusable: head.isKeepAlive)
            self.head = nil
            body = nil
            finish(.success(response))
            if !head.isKeepAlive { context.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(head == nil ? HTTP1ExchangeError.closedBeforeResponse : .closedDuringResponse))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<HTTPTransportResponse, any Error>) {
        deadline?.cancel()
        deadline = nil
        guard let continuation = pending else { return }
        pending = nil
        continuation.resume(with: result)
    }
}
