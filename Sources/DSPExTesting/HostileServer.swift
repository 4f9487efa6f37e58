import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An OpenAI-compatible server on a free loopback port that sends the client's credentials back, as some gateways
/// and proxies do: for tests that no key reaches a terminal, a store, a cache, a log or a saved program.
///
/// Every reply it does give answers the prompt's output fields (read from DSPy's "Your output fields are:" list)
/// with text that quotes the request's `Authorization` header and the bare key, in the `[[ ## field ## ]]` format
/// or as a JSON object when the request asks for JSON.
///
/// ```swift
/// try await HostileServer.with(.echoInErrorBody) { server in
///     // dspex predict ... --lm m --base-url server.baseURL, with OPENAI_API_KEY set to a marker
///     #expect(server.requests == 1)
/// }
/// ```
public final class HostileServer: Sendable {
    /// How the server sends the credentials back.
    public enum Behaviour: Sendable, Hashable, CustomStringConvertible {
        /// 401 with an OpenAI error body quoting the `Authorization` header.
        case echoInErrorBody
        /// 200 with a reply whose every output field quotes the header and the key.
        case echoInReply
        /// 200 with an ordinary reply (the field values are plain words) and response headers quoting the key.
        case echoInHeader
        /// 200 as a Server-Sent Events stream whose chunks quote the header and the key.
        case echoInEventStream
        /// 401 quoting the header for the first `count` requests, then replies as ``echoInReply`` without the key.
        case refuseThenAnswer(count: Int)
        /// 403 with an error body quoting the header.
        case forbidden
        /// 404 for an unknown model, quoting the header.
        case unknownModel

        public var description: String {
            switch self {
            case .echoInErrorBody: return "echo in a 401 error body"
            case .echoInReply: return "echo in a 200 reply"
            case .echoInHeader: return "echo in a response header"
            case .echoInEventStream: return "echo in an event stream"
            case .refuseThenAnswer(let count): return "401 for \(count) requests, then 200"
            case .forbidden: return "echo in a 403 error body"
            case .unknownModel: return "echo in a 404 error body"
            }
        }
    }

    /// The behaviour chosen.
    public let behaviour: Behaviour
    private let state: HostileServerState
    private let channel: any Channel

    /// The API root to give a client: `http://127.0.0.1:PORT/v1`.
    public var baseURL: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/v1" }

    /// Requests received so far.
    public var requests: Int { state.requests.withLock { $0 } }

    private init(behaviour: Behaviour, state: HostileServerState, channel: any Channel) {
        self.behaviour = behaviour
        self.state = state
        self.channel = channel
    }

    /// Starts a server, runs `body` with it, and always stops it.
    public static func with<R: Sendable>(_ behaviour: Behaviour, _ body: (HostileServer) async throws -> R)
        async throws -> R
    {
        let state = HostileServerState()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        HostileHTTPHandler(behaviour: behaviour, state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = HostileServer(behaviour: behaviour, state: state, channel: channel)
        do {
            let result = try await body(server)
            try await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// The names of the output fields a DSPy prompt asks for (`1. \`answer\` (int): …` under
    /// "Your output fields are:").
    static func outputFields(inPrompt prompt: String) -> [String] {
        guard let start = prompt.range(of: "Your output fields are:") else { return ["answer"] }
        var names: [String] = []
        for line in prompt[start.upperBound...].split(separator: "\n").dropFirst(0) {
            let trimmed = line.drop { $0 == " " }
            guard let dot = trimmed.firstIndex(of: "."), trimmed[..<dot].allSatisfy(\.isNumber),
                let open = trimmed.firstIndex(of: "`")
            else {
                if !names.isEmpty { break }
                continue
            }
            let rest = trimmed[trimmed.index(after: open)...]
            guard let close = rest.firstIndex(of: "`") else { continue }
            names.append(String(rest[..<close]))
        }
        return names.isEmpty ? ["answer"] : names
    }
}

/// What a ``HostileServer`` shares with its connections.
final class HostileServerState: Sendable {
    let requests = Mutex(0)
}

/// One connection of a ``HostileServer``.
final class HostileHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let behaviour: HostileServer.Behaviour
    private let state: HostileServerState
    private var authorization = ""
    private var body = ""

    init(behaviour: HostileServer.Behaviour, state: HostileServerState) {
        self.behaviour = behaviour
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            authorization = head.headers.first(name: "authorization") ?? ""
            body = ""
        case .body(let part):
            body += String(buffer: part)
        case .end:
            let number = state.requests.withLock { count -> Int in
                count += 1
                return count
            }
            answer(context: context, number: number)
        }
    }

    private var key: String {
        authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst("Bearer ".count)) : authorization
    }

    private func answer(context: ChannelHandlerContext, number: Int) {
        let request = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        let messages = request["messages"] as? [[String: Any]] ?? []
        let prompt = messages.compactMap { $0["content"] as? String }.joined(separator: "\n")
        let fields = HostileServer.outputFields(inPrompt: prompt)
        let wantsJSON = request["response_format"] != nil
        let echo = "the key you sent is \(authorization) (that is \(key))"
        switch behaviour {
        case .echoInErrorBody:
            send(context, status: .unauthorized, json: error("Incorrect API key provided: \(authorization)"))
        case .forbidden:
            send(context, status: .forbidden, json: error("Key \(key) may not use this model"))
        case .unknownModel:
            send(context, status: .notFound, json: error("The model does not exist (key \(authorization))"))
        case .refuseThenAnswer(let count) where number <= count:
            send(context, status: .unauthorized, json: error("Incorrect API key provided: \(authorization)"))
        case .refuseThenAnswer:
            send(context, status: .ok, json: completion(content(fields, value: "forty-two", json: wantsJSON)))
        case .echoInReply:
            send(context, status: .ok, json: completion(content(fields, value: echo, json: wantsJSON)))
        case .echoInHeader:
            send(
                context, status: .ok, json: completion(content(fields, value: "forty-two", json: wantsJSON)),
                extraHeaders: [("x-echo-authorization", authorization), ("x-request-key", key)])
        case .echoInEventStream:
            let text = content(fields, value: echo, json: wantsJSON)
            let middle = text.index(text.startIndex, offsetBy: text.count / 2)
            var stream = ""
            for piece in [String(text[..<middle]), String(text[middle...])] {
                let chunk: [String: Any] = [
                    "id": "x", "object": "chat.completion.chunk", "model": "hostile",
                    "choices": [["index": 0, "delta": ["content": piece], "finish_reason": NSNull()]],
                ]
                stream += "data: \(jsonText(chunk))\n\n"
            }
            stream += "data: [DONE]\n\n"
            send(context, status: .ok, text: stream, contentType: "text/event-stream")
        }
    }

    private func content(_ fields: [String], value: String, json: Bool) -> String {
        if json { return jsonText(Dictionary(uniqueKeysWithValues: fields.map { ($0, value) })) }
        return fields.map { "[[ ## \($0) ## ]]\n\(value)\n\n" }.joined() + "[[ ## completed ## ]]"
    }

    private func error(_ message: String) -> [String: Any] {
        ["error": ["message": message, "type": "invalid_request_error", "code": "invalid_api_key"]]
    }

    private func completion(_ content: String) -> [String: Any] {
        [
            "id": "x", "object": "chat.completion", "model": "hostile",
            "choices": [
                ["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]
            ],
            "usage": ["prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15],
        ]
    }

    private func jsonText(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private func send(
        _ context: ChannelHandlerContext, status: HTTPResponseStatus, json: [String: Any],
        extraHeaders: [(String, String)] = []
    ) {
        send(context, status: status, text: jsonText(json), contentType: "application/json", extraHeaders: extraHeaders)
    }

    private func send(
        _ context: ChannelHandlerContext, status: HTTPResponseStatus, text: String, contentType: String,
        extraHeaders: [(String, String)] = []
    ) {
        let buffer = ByteBuffer(string: text)
        var headers = HTTPHeaders([("content-type", contentType), ("content-length", String(buffer.readableBytes))])
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        context.write(wrapOutboundOut(.head(.init(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
