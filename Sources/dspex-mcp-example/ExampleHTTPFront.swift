import Foundation
import MCP
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 front for the example server: each POST to `/mcp` is handed to MCP's stateless HTTP transport
/// and its reply written back.
enum ExampleHTTPFront {
    /// Starts listening on 127.0.0.1:`port` and returns the bound port.
    static func serve(transport: StatelessHTTPServerTransport, port: Int) async throws -> Int {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(transport: transport))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        return channel.localAddress?.port ?? port
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let transport: StatelessHTTPServerTransport
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(transport: StatelessHTTPServerTransport) { self.transport = transport }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name] = headers[name].map { $0 + ", " + value } ?? value }
                let request = HTTPRequest(
                    method: head.method.rawValue, headers: headers,
                    body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil, path: head.uri)
                let transport = transport
                let loop = context.eventLoop
                nonisolated(unsafe) let context = context
                let version = head.version
                loop.makePromise(of: Void.self).completeWithTask {
                    let response: HTTPResponse =
                        head.uri.hasPrefix("/mcp")
                        ? await transport.handleRequest(request)
                        : .error(statusCode: 404, .invalidRequest("Not Found"))
                    var data = Data()
                    if case .stream(let stream, _) = response {
                        do { for try await chunk in stream { data.append(chunk) } } catch {}
                    } else {
                        data = response.bodyData ?? Data()
                    }
                    let statusCode = response.statusCode
                    let replyHeaders = response.headers
                    let bytes = data
                    loop.execute {
                        var responseHead = HTTPResponseHead(
                            version: version, status: HTTPResponseStatus(statusCode: statusCode))
                        for (name, value) in replyHeaders { responseHead.headers.add(name: name, value: value) }
                        responseHead.headers.replaceOrAdd(name: "content-length", value: String(bytes.count))
                        context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
                        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                        buffer.writeBytes(bytes)
                        context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                    }
                }
            }
        }
    }
}
