import Crypto
import Foundation
import Hummingbird

/// Who may use the console, checked on every request (pages, downloads, the event stream and actions):
///
/// - With a token (required for any bind other than loopback), a request must carry it — as
///   `Authorization: Bearer <token>`, the `dspex_console_token` cookie, or once as `?token=` (which sets the cookie
///   and redirects to the same page without it). Tokens are compared in constant time.
/// - Without one (loopback only), the `Host` header must name the loopback interface, so that a web page cannot
///   reach the console through a DNS name rebound to 127.0.0.1.
/// - Actions are POST only, and a POST from another site (an `Origin` that is not this server) is refused: a page
///   elsewhere cannot cancel or resume runs through the user's browser.
struct ConsoleAccess<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "dspex_console_token" }

    /// The token, or `nil` for a loopback console without one.
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if let token {
            if let offered = Self.queryToken(request), request.method == .get {
                guard Self.matches(offered, token) else { return Self.refusal(401, "the access token is wrong") }
                // Set the cookie and drop the token from the address bar (and from history and referrers).
                var headers = HTTPFields()
                headers[.location] = Self.pathWithoutToken(request)
                headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
                headers[.cacheControl] = "no-store"
                return Response(status: .seeOther, headers: headers)
            }
            guard let offered = Self.headerToken(request) ?? Self.cookieToken(request), Self.matches(offered, token)
            else {
                return Self.refusal(
                    401, "this console needs its access token: open it with ?token=… or send Authorization: Bearer …")
            }
        } else if !Self.isLoopbackHost(request.head.authority) {
            return Self.refusal(403, "this console answers only requests addressed to the loopback interface")
        }
        if request.method == .post, !Self.isSameOrigin(request) {
            return Self.refusal(403, "actions are accepted only from the console's own pages")
        }
        return try await next(request, context)
    }

    /// Whether `offered` is `token`, in time that does not depend on where they differ.
    static func matches(_ offered: String, _ token: String) -> Bool {
        let a = SHA256.hash(data: Data(offered.utf8))
        let b = SHA256.hash(data: Data(token.utf8))
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    static func headerToken(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst("Bearer ".count))
    }

    static func cookieToken(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookieName { return String(parts[1]) }
            }
        }
        return nil
    }

    static func queryToken(_ request: Request) -> String? {
        ConsoleQuery.decode(request.uri.query)["token"]
    }

    /// The request's path and query without `token`.
    static func pathWithoutToken(_ request: Request) -> String {
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("token=") }
        return request.uri.path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// Whether a `Host` value names 127.0.0.1, ::1 or localhost (any port).
    static func isLoopbackHost(_ authority: String?) -> Bool {
        guard let authority else { return false }
        let host: Substring
        if authority.hasPrefix("[") {
            host = authority.dropFirst().prefix { $0 != "]" }
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return host == "127.0.0.1" || host == "::1" || host.lowercased() == "localhost"
    }

    /// Whether a POST comes from this server's own pages: no `Origin` (a non-browser client) or this host's, and
    /// no `Sec-Fetch-Site` saying another site.
    static func isSameOrigin(_ request: Request) -> Bool {
        if request.headers.contains(where: { $0.name.canonicalName == "sec-fetch-site" && $0.value == "cross-site" }) {
            return false
        }
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    static func refusal(_ status: Int, _ message: String) -> Response {
        ConsoleResponse.html(ConsoleError(status: status, message: message).html(), status: status)
    }
}
