import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The per-connection NIO handler: collects one HTTP request, asks ``SimulatorEngine`` what
/// to do, and does it — after the simulated latency, on the event loop's timer.
///
/// It sits behind NIO's HTTP/1.1 server pipeline (with pipelining assistance), so one
/// keep-alive connection serves many requests in order. A held request (``FaultKind/noReply``)
/// keeps the connection busy until the client disconnects; a pending delayed reply is cancelled
/// when the connection goes away.
final class SimulatorHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The largest request body accepted; larger ones get 413 and the connection is closed.
    static let maximumBodyBytes = 32 * 1024 * 1024

    private let engine: SimulatorEngine
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var discarding = false
    private var pending: Scheduled<Void>?

    init(engine: SimulatorEngine) {
        self.engine = engine
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
            self.discarding = false
            if head.headers.contains(name: "expect"), head.headers[canonicalForm: "expect"].contains("100-continue") {
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(self.wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(let chunk):
            guard !self.discarding else { return }
            if var existing = self.body {
                self.body = nil
                existing.writeImmutableBuffer(chunk)
                self.body = existing
            } else {
                self.body = chunk
            }
            if let body = self.body, body.readableBytes > Self.maximumBodyBytes {
                self.discarding = true
                self.body = nil
            }
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let body = self.body
            self.body = nil
            if self.discarding {
                let response = SimulatorResponse.error(
                    .payloadTooLarge, message: "The request body is larger than \(Self.maximumBodyBytes) bytes.",
                    type: "invalid_request_error", code: "request_too_large")
                self.perform(response.action, for: head, keepAlive: false, context: context)
                return
            }
            let response = self.engine.respond(
                method: head.method, uri: head.uri, body: body, authorization: head.headers.first(name: "authorization")
            )
            let keepAlive = head.isKeepAlive
            if response.delayNanoseconds > 0 {
                self.pending = context.eventLoop.assumeIsolated().scheduleTask(
                    in: .nanoseconds(response.delayNanoseconds)
                ) {
                    self.pending = nil
                    self.perform(response.action, for: head, keepAlive: keepAlive, context: context)
                }
            } else {
                self.perform(response.action, for: head, keepAlive: keepAlive, context: context)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.pending?.cancel()
        self.pending = nil
        self.body = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.pending?.cancel()
        self.pending = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Client resets and protocol errors: the connection is done.
        context.close(promise: nil)
    }

    private func perform(
        _ action: SimulatorResponse.Action,
        for request: HTTPRequestHead,
        keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        guard context.channel.isActive else { return }
        switch action {
        case .reply(let status, let extraHeaders, let text):
            var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            var headers = HTTPHeaders()
            headers.reserveCapacity(extraHeaders.count + 2)
            for (name, value) in extraHeaders {
                headers.add(name: name, value: value)
            }
            headers.add(name: "content-length", value: String(buffer.readableBytes))
            if !keepAlive {
                headers.add(name: "connection", value: "close")
            } else if request.version.major == 1, request.version.minor == 0 {
                headers.add(name: "connection", value: "keep-alive")
            }
            let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            if request.method != .HEAD {
                context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            if keepAlive {
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            }
        case .resetConnection:
            if let provider = context.channel as? any SocketOptionProvider {
                // SO_LINGER with a zero timeout makes close() send RST instead of FIN.
                _ = provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
            }
            context.close(promise: nil)
        case .holdForever:
            break
        }
    }
}
