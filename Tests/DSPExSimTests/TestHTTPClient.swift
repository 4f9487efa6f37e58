import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A reply received by ``TestHTTPConnection``.
struct TestHTTPReply: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: String

    func header(_ name: String) -> String? {
        self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(self.body.utf8))
    }
}

/// Why a test request got no reply.
enum TestHTTPError: Error, Equatable {
    /// The client gave up waiting and closed the connection.
    case timedOut
    /// The server closed or reset the connection before replying.
    case connectionClosed
}

/// One keep-alive HTTP/1.1 connection to the simulator, built on NIO so that tests can see
/// exactly what happens on the wire: resets, held requests, and reuse of one connection.
final class TestHTTPConnection: Sendable {
    private let channel: any Channel
    private let timedOut = Mutex(false)

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(port: Int, host: String = "127.0.0.1") async throws -> TestHTTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ReplyCollector())
                }
            }
            .connect(host: host, port: port)
            .get()
        return TestHTTPConnection(channel: channel)
    }

    /// Sends one request and waits for its reply (at most `timeout`, after which the connection is closed).
    func send(
        _ method: HTTPMethod,
        _ path: String,
        body: String? = nil,
        timeout: TimeAmount = .seconds(20)
    ) async throws -> TestHTTPReply {
        let channel = self.channel
        let future = channel.eventLoop.flatSubmit { () -> EventLoopFuture<TestHTTPReply> in
            let promise = channel.eventLoop.makePromise(of: TestHTTPReply.self)
            do {
                let collector = try channel.pipeline.syncOperations.handler(type: ReplyCollector.self)
                collector.waiting.append(promise)
            } catch {
                promise.fail(TestHTTPError.connectionClosed)
                return promise.futureResult
            }
            var headers = HTTPHeaders()
            headers.add(name: "host", value: "127.0.0.1")
            if let body {
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(body.utf8.count))
            }
            let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if let body {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: body))), promise: nil)
            }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            return promise.futureResult
        }
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            self.timedOut.withLock { $0 = true }
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await future.get()
        } catch {
            if self.timedOut.withLock({ $0 }) { throw TestHTTPError.timedOut }
            throw error
        }
    }

    /// Sends a chat-completion body.
    func chat(_ body: String, path: String = "/v1/chat/completions") async throws -> TestHTTPReply {
        try await self.send(.POST, path, body: body)
    }

    func close() async {
        try? await self.channel.close()
    }

    /// Opens a connection, sends one request, and closes it.
    static func request(
        port: Int,
        _ method: HTTPMethod,
        _ path: String,
        body: String? = nil,
        timeout: TimeAmount = .seconds(20)
    ) async throws -> TestHTTPReply {
        let connection = try await TestHTTPConnection.connect(port: port)
        do {
            let reply = try await connection.send(method, path, body: body, timeout: timeout)
            await connection.close()
            return reply
        } catch {
            await connection.close()
            throw error
        }
    }
}

/// Collects response parts into replies, completing the oldest waiting request on each `.end`.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    var waiting: [EventLoopPromise<TestHTTPReply>] = []
    private var head: HTTPResponseHead?
    private var body = ""

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = ""
        case .body(let buffer):
            self.body += String(buffer: buffer)
        case .end:
            guard let head = self.head, !self.waiting.isEmpty else { return }
            let promise = self.waiting.removeFirst()
            promise.succeed(
                TestHTTPReply(
                    status: Int(head.status.code),
                    headers: head.headers.map { ($0.name, $0.value) },
                    body: self.body))
            self.head = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.failAll()
        context.close(promise: nil)
    }

    private func failAll() {
        let waiting = self.waiting
        self.waiting = []
        for promise in waiting {
            promise.fail(TestHTTPError.connectionClosed)
        }
    }
}
