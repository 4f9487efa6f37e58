import NIOCore
import NIOHTTP1

/// The outbound end of a ``KeepAliveHTTP1Transport`` connection: requests arrive already encoded
/// as bytes in a `.body` part and go to the socket as they are; `.head` parts only tell the
/// response decoder (which watches outbound heads) what method each response answers, and `.end`
/// parts carry nothing. Saves encoding the same headers for every request.
final class PreencodedRequestWriter: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = IOData

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .body(let bytes):
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .head, .end:
            promise?.succeed(())
        }
    }
}
