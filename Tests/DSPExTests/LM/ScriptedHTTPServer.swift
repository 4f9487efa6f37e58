import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server on a free loopback port whose connection behaviour a test chooses, for
/// what the simulator does not do: closing idle connections, `Connection: close`, chunked replies.
/// Every request gets the same chat completion, whose content is ``content``.
final class ScriptedHTTPServer: Sendable {
    /// How the server treats its connections.
    enum Behaviour: Sendable {
        /// Answers every request and keeps the connection open.
        case keepAlive
        /// Answers the first request of a connection (without `Connection: close`), then closes the
        /// connection without answering when the next request arrives: a server dropping an idle
        /// keep-alive connection just as a client reuses it.
        case closeWhenReused
        /// Answers with `Connection: close` and closes.
        case connectionClose
        /// Answers with a chunked body sent in several flushes.
        case chunked
        /// Reads requests and never answers.
        case neverReply
        /// Answers 400 to a request asking for more than one choice (`"n"` above 1), like servers that
        /// sample one choice per request; answers every other request.
        case singleChoiceOnly
    }

    /// What the server has seen.
    struct Counts: Sendable {
        var connections = 0
        var closedConnections = 0
        var requests = 0
        var uris: [String] = []
        var hosts: [String] = []
        /// The request bodies, in arrival order.
        var bodies: [String] = []
    }

    static let content = "[[ ## answer ## ]]\n42\n\n[[ ## completed ## ]]"

    let behaviour: Behaviour
    /// What the server has seen, updated by every connection.
    let counts: SharedCounts
    private let channel: any Channel

    var baseURL: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/v1" }

    private init(behaviour: Behaviour, counts: SharedCounts, channel: any Channel) {
        self.behaviour = behaviour
        self.counts = counts
        self.channel = channel
    }

    /// Starts a server, runs `body`, and always stops the server.
    static func with<R: Sendable>(
        _ behaviour: Behaviour, _ body: (ScriptedHTTPServer) async throws -> R
    ) async throws -> R {
        let counts = SharedCounts()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedHTTPHandler(behaviour: behaviour, counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = ScriptedHTTPServer(behaviour: behaviour, counts: counts, channel: channel)
        do {
            let result = try await body(server)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// A chat-completions body whose only choice says `content`.
    static func replyBody() -> ByteBuffer {
        let escaped = content.replacingOccurrences(of: "\n", with: "\\n")
        return ByteBuffer(
            string: #"{"id":"x","object":"chat.completion","model":"scripted","choices":[{"index":0,"#
                + #""message":{"role":"assistant","content":""# + escaped + #""},"finish_reason":"stop"}],"#
                + #""usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#)
    }
}

/// ``ScriptedHTTPServer/Counts`` behind a lock, shared by the server and its connections.
final class SharedCounts: Sendable {
    private let state = Mutex(ScriptedHTTPServer.Counts())

    /// Reads or changes the counts under the lock.
    @discardableResult
    func withLock<R: Sendable>(_ body: (inout ScriptedHTTPServer.Counts) -> R) -> R {
        state.withLock { body(&$0) }
    }
}

/// One connection of ``ScriptedHTTPServer``.
final class ScriptedHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let behaviour: ScriptedHTTPServer.Behaviour
    private let counts: SharedCounts
    private var answered = 0
    private var body = ""

    init(behaviour: ScriptedHTTPServer.Behaviour, counts: SharedCounts) {
        self.behaviour = behaviour
        self.counts = counts
    }

    func channelActive(context: ChannelHandlerContext) {
        counts.withLock { $0.connections += 1 }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        counts.withLock { $0.closedConnections += 1 }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if behaviour == .closeWhenReused, answered > 0 {
                context.close(promise: nil)
                return
            }
            counts.withLock {
                $0.requests += 1
                $0.uris.append(head.uri)
                $0.hosts.append(head.headers.first(name: "host") ?? "")
            }
        case .body(let part):
            body += String(buffer: part)
        case .end:
            let received = body
            body = ""
            counts.withLock { $0.bodies.append(received) }
            guard context.channel.isActive else { return }
            answer(context: context, requestBody: received)
        }
    }

    private func answer(context: ChannelHandlerContext, requestBody: String) {
        answered += 1
        var body = ScriptedHTTPServer.replyBody()
        var headers = HTTPHeaders([("content-type", "application/json")])
        var status = HTTPResponseStatus.ok
        if behaviour == .singleChoiceOnly, let choices = ScriptedHTTPHandler.choiceCount(requestBody), choices > 1 {
            status = .badRequest
            body = ByteBuffer(string: #"{"error":{"message":"n must be 1","type":"invalid_request_error"}}"#)
        }
        switch behaviour {
        case .neverReply:
            return
        case .keepAlive, .closeWhenReused, .singleChoiceOnly:
            headers.add(name: "content-length", value: String(body.readableBytes))
            context.write(
                wrapOutboundOut(.head(.init(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .connectionClose:
            headers.add(name: "content-length", value: String(body.readableBytes))
            headers.add(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.close(promise: nil)
        case .chunked:
            headers.add(name: "transfer-encoding", value: "chunked")
            context.writeAndFlush(
                wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            var remaining = body
            while remaining.readableBytes > 0, let part = remaining.readSlice(length: min(17, remaining.readableBytes))
            {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// The request's `"n"`, if it has one.
    static func choiceCount(_ body: String) -> Int? {
        let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return object?["n"] as? Int
    }
}
