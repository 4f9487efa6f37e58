import DSPEx
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `dspex serve`: the web console of a store's runs on Hummingbird — the runs page with live progress (one
/// server-sent event stream fed by one ``RunChangeFeed``), run pages with paged example tables, example pages
/// with every stage's messages and raw replies, compile runs' plots and best programs, comparisons, and the
/// cancel and resume actions.
///
/// ```swift
/// let server = try ConsoleServer(store: store, configuration: .init(port: 8600))
/// try await server.application().runService()
/// ```
///
/// Routes: `GET /`, `GET /events`, `GET /runs/{run}` (`outcome`, `kind`, `q`, `order`, `offset`, `limit`),
/// `GET /runs/{run}/examples/{id}`, `GET /runs/{run}/plot.svg`, `GET /runs/{run}/program.json`,
/// `GET /compare?a=&b=[&flipped=1]`, `POST /runs/{run}/cancel`, `POST /runs/{run}/resume`.
public struct ConsoleServer: Sendable {
    /// Where the console listens and who may use it.
    public struct Configuration: Sendable {
        /// The interface: loopback (`127.0.0.1`) by default; any other requires ``token``.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// The access token every request must carry; required unless ``host`` is loopback.
        public var token: String?
        /// How often the change feed reads the store.
        public var feed: RunChangeFeed.Configuration

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 8600, token: String? = nil,
            feed: RunChangeFeed.Configuration = .init()
        ) {
            self.host = host
            self.port = port
            self.token = token
            self.feed = feed
        }

        /// Whether ``host`` is a loopback address.
        public var isLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") }
    }

    /// Continues a stopped run in the background (the CLI starts a detached `dspex resume`).
    public typealias Resumer = @Sendable (_ run: String) async throws -> Void

    /// The store shown.
    public let store: any Store
    /// The options.
    public let configuration: Configuration
    /// The one change feed of this server.
    public let feed: RunChangeFeed
    private let resumer: Resumer?

    /// Creates a console of `store`.
    ///
    /// - Throws: ``ConsoleError`` when ``Configuration/host`` is not loopback and there is no token, or the token
    ///   is too short to be one.
    public init(store: any Store, configuration: Configuration = .init(), resumer: Resumer? = nil) throws {
        if !configuration.isLoopback, configuration.token == nil {
            throw ConsoleError(
                status: 0,
                message: "serving on \(configuration.host) (not loopback) needs an access token: set one in an "
                    + "environment variable and pass --token-env NAME")
        }
        if let token = configuration.token {
            guard token.count >= 16 else {
                throw ConsoleError(status: 0, message: "the access token must be at least 16 characters long")
            }
            // It travels in a cookie and a query string: printable ASCII without spaces, `;`, `,`, `&` or `=`.
            guard
                token.unicodeScalars.allSatisfy({
                    $0.value > 32 && $0.value < 127 && !";,&=\"".unicodeScalars.contains($0)
                })
            else {
                throw ConsoleError(
                    status: 0,
                    message: "the access token must be printable ASCII without spaces, quotes, ';', ',', '&' or '='")
            }
        }
        self.store = store
        self.configuration = configuration
        self.resumer = resumer
        feed = RunChangeFeed(store: store, configuration: configuration.feed)
    }

    /// The router with every route, behind the access check.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ConsoleAccess(token: configuration.token))
        let store = self.store
        router.get("/") { _, _ in try await Self.page { try await RunsPage.load(from: store).html() } }
        router.get("/events") { [feed] _, _ in Self.events(feed) }
        router.get("/runs/:run") { request, context in
            try await Self.page {
                let query = try ConsoleQuery.resultQuery(ConsoleQuery.decode(request.uri.query))
                return try await RunPage.load(run: try Self.parameter("run", context), query: query, from: store).html()
            }
        }
        router.get("/runs/:run/examples/:example") { _, context in
            try await Self.page {
                try await ExamplePage.load(
                    run: try Self.parameter("run", context), example: try Self.parameter("example", context),
                    from: store
                ).html()
            }
        }
        router.get("/runs/:run/plot.svg") { _, context in
            try await Self.respond {
                let report = try await RunReport.named(try Self.parameter("run", context), in: store)
                guard report.isCompile else {
                    throw ConsoleError(status: 404, message: "'\(report.name)' is not a compile run")
                }
                let svg = try await CompileSection.load(report, from: store).plot.svg()
                return ConsoleResponse.body(svg.text, contentType: "image/svg+xml")
            }
        }
        router.get("/runs/:run/program.json") { _, context in
            try await Self.respond {
                let report = try await RunReport.named(try Self.parameter("run", context), in: store)
                guard let json = try await report.bestProgramJSON(in: store) else {
                    throw ConsoleError(status: 404, message: "run '\(report.name)' has no best program stored")
                }
                var headers = HTTPFields()
                headers[.contentDisposition] = "attachment; filename=\"\(ConsoleLink.segment(report.name)).json\""
                return ConsoleResponse.body(json, contentType: "application/json", headers: headers)
            }
        }
        router.get("/compare") { request, _ in
            try await Self.page {
                let parameters = ConsoleQuery.decode(request.uri.query)
                guard let a = parameters["a"], let b = parameters["b"], !a.isEmpty, !b.isEmpty else {
                    throw ConsoleError(status: 400, message: "name the two runs to compare: /compare?a=RUN&b=RUN")
                }
                let offset = try ConsoleQuery.integer(
                    parameters["offset"], name: "offset", default: 0, range: 0...Int.max)
                return try await ComparePage.load(
                    a, b, flippedOnly: parameters["flipped"] == "1", offset: offset, from: store
                ).html()
            }
        }
        router.post("/runs/:run/cancel") { _, context in
            try await Self.respond {
                let name = try Self.parameter("run", context)
                _ = try await RunReport.named(name, in: store)
                try await Run.cancel(named: name, in: store, wait: .seconds(10))
                return ConsoleResponse.redirect(to: ConsoleLink.run(name))
            }
        }
        router.post("/runs/:run/resume") { [resumer] _, context in
            try await Self.respond {
                let name = try Self.parameter("run", context)
                let report = try await RunReport.named(name, in: store)
                guard report.record.status != RunRecord.Status.running else {
                    throw ConsoleError(status: 409, message: "run '\(name)' is already running")
                }
                guard report.record.status != RunRecord.Status.completed else {
                    throw ConsoleError(status: 409, message: "run '\(name)' is completed; there is nothing to resume")
                }
                guard let resumer else {
                    throw ConsoleError(status: 501, message: "this console cannot start processes to resume runs")
                }
                try await resumer(name)
                return ConsoleResponse.redirect(to: ConsoleLink.run(name))
            }
        }
        return router
    }

    /// The Hummingbird application: the router on ``Configuration/host``:``Configuration/port``, with the change
    /// feed as a service beside it.
    ///
    /// - Parameter onServerRunning: Called with the bound port once the server listens (useful with port 0).
    public func application(
        logger: Logger = Logger(label: "dspex.console"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [feed],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    // MARK: Handlers

    /// A path parameter, percent-decoded.
    static func parameter(_ name: String, _ context: BasicRequestContext) throws -> String {
        guard let raw = context.parameters.get(name) else {
            throw ConsoleError(status: 400, message: "the address has no \(name)")
        }
        return raw.removingPercentEncoding ?? raw
    }

    /// A page, or the error page for what `body` threw.
    nonisolated(nonsending) static func page(_ body: () async throws -> HTML) async throws -> Response {
        try await respond { ConsoleResponse.html(try await body()) }
    }

    /// `body`'s response, or an error page: 404 for an unknown run, a ``ConsoleError``'s status, 500 otherwise.
    nonisolated(nonsending) static func respond(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch {
            return errorResponse(error)
        }
    }

    static func errorResponse(_ error: any Error) -> Response {
        let failure: ConsoleError
        switch error {
        case let error as ConsoleError: failure = error
        case let error as EvaluateError where error.code == .unknownRun:
            failure = ConsoleError(status: 404, message: error.message)
        default: failure = ConsoleError(status: 500, message: String(describing: error))
        }
        return ConsoleResponse.html(failure.html(), status: failure.status)
    }

    /// The event stream: the feed's snapshots as server-sent events, one `data:` line of JSON each, and its
    /// heartbeats as comment lines.
    static func events(_ feed: RunChangeFeed) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // The stream ends with the feed, or when the server shuts down gracefully (it would otherwise wait
                // for this never-ending response).
                let (stream, end) = feed.subscription()
                try await withGracefulShutdownHandler {
                    for await snapshot in stream {
                        // A heartbeat before any snapshot is an SSE comment: it keeps proxies from closing the stream.
                        let event = snapshot.isEmpty ? ":\n\n" : "data: \(snapshot)\n\n"
                        try await writer.write(ByteBuffer(string: event))
                    }
                } onGracefulShutdown: {
                    end()
                }
                try await writer.finish(nil)
            })
    }
}
