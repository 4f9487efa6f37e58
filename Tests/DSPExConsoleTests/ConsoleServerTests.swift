import DSPEx
import DSPExConsole
import DSPExTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The console's routes through Hummingbird's router test client: pages, escaping, paging, errors, access.
@Suite(.timeLimit(.minutes(3)))
struct ConsoleServerTests {
    static func app(_ store: SQLiteStore, token: String? = nil, host: String = "127.0.0.1") throws
        -> some ApplicationProtocol
    {
        try ConsoleServer(store: store, configuration: .init(host: host, port: 0, token: token)).application()
    }

    /// The router test client addresses every request to `localhost`.
    static let local: HTTPFields = [:]

    static func get(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = local) async throws
        -> (status: Int, body: String, headers: HTTPFields)
    {
        try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (Int(response.status.code), String(buffer: response.body), response.headers)
        }
    }

    @Test("the runs page lists every run with its status, score and counts")
    func runsPage() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        try await Self.app(fixture.store).test(.router) { client in
            let page = try await Self.get(client, "/")
            #expect(page.status == 200)
            #expect(page.body.contains("<tr data-run=\"base\">"))
            #expect(page.body.contains("<tr data-run=\"opt\">"))
            #expect(page.body.contains("data-field=\"examples\">10<"))
            #expect(page.body.contains("href=\"/runs/fixed\""))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'sha256-") == true)
        }
    }

    @Test("an example page shows the stage's messages and raw reply as text: a script in a reply is escaped")
    func examplePageEscapes() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        try await Self.app(fixture.store).test(.router) { client in
            let page = try await Self.get(client, "/runs/base/examples/ex2")
            #expect(page.status == 200)
            #expect(!page.body.contains("<script>window"))
            #expect(!page.body.contains("<img src=x"))
            #expect(page.body.contains("&lt;script&gt;window.__pwned = true&lt;/script&gt;"))
            #expect(page.body.contains("class=\"reply raw-reply\""))
            #expect(page.body.contains("Adapter fallback"))
            #expect(page.body.contains("<div class=\"role\">system</div>"))
            // Example 3's question had markup: escaped in the inputs and in the messages.
            let markup = try await Self.get(client, "/runs/base/examples/ex3")
            #expect(!markup.body.contains("<b>bold</b>"))
            #expect(markup.body.contains("&lt;b&gt;bold&lt;/b&gt;"))
            // An example page has no script at all (a runs page has only the console's own).
            #expect(!page.body.contains("<script"))
        }
    }

    @Test("the run page pages, filters and sorts its examples in SQL")
    func runPageFilters() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        try await Self.app(fixture.store).test(.router) { client in
            let all = try await Self.get(client, "/runs/base?limit=4")
            #expect(all.body.contains("1–4 of 10"))
            #expect(all.body.contains("href=\"/runs/base?limit=4&amp;offset=4\""))
            let errors = try await Self.get(client, "/runs/base?outcome=errors")
            #expect(errors.body.contains("1–1 of 1"))
            #expect(errors.body.contains("/runs/base/examples/ex2"))
            let wrong = try await Self.get(client, "/runs/base?outcome=wrong&order=score")
            #expect(wrong.body.contains("1–6 of 6"))  // odd ones and the failed one
            let search = try await Self.get(client, "/runs/base?q=JSONAdapter")
            #expect(search.body.contains("1–1 of 1"))
            let kind = try await Self.get(client, "/runs/base?kind=adapter%3Amissing_fields")
            #expect(kind.status == 200)
            let bad = try await Self.get(client, "/runs/base?order=sideways")
            #expect(bad.status == 400)
            #expect(bad.body.contains("&#39;order&#39; cannot be &#39;sideways&#39;"))
            let missing = try await Self.get(client, "/runs/nope")
            #expect(missing.status == 404)
            let unknownExample = try await Self.get(client, "/runs/base/examples/nope")
            #expect(unknownExample.status == 404)
        }
    }

    @Test("a compile run shows its score-per-trial plot, candidates, and the best program as DSPy JSON")
    func compileRun() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        try await Self.app(fixture.store).test(.router) { client in
            let page = try await Self.get(client, "/runs/opt")
            #expect(page.status == 200)
            #expect(page.body.contains("<svg"))
            #expect(page.body.components(separatedBy: "class=\"minibatch\"").count == 4)
            #expect(page.body.components(separatedBy: "class=\"full\"").count == 3)
            #expect(page.body.contains("class=\"best\""))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let svg = try await Self.get(client, "/runs/opt/plot.svg")
            #expect(svg.headers[.contentType] == "image/svg+xml")
            let program = try await Self.get(client, "/runs/opt/program.json")
            #expect(program.status == 200)
            #expect(program.headers[.contentDisposition]?.contains("attachment") == true)
            #expect(try Value(json: program.body)["solve"]?["signature"]?["instructions"] == "Add carefully.")
        }
    }

    @Test("a running compile run shows its best full-evaluation score so far, not a minibatch's")
    func liveCompile() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        try ConsoleFixture.compileRun("going", running: true, in: fixture.store)
        let report = try await RunReport.named("going", in: fixture.store).live(in: fixture.store)
        #expect(report.score == 0.7)  // trial 5, full; trial 4's 0.8 was a minibatch
        #expect(report.progressValue["status"] == "running")
    }

    @Test("two runs of the same dataset compare side by side with the flipped examples")
    func compare() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        try await Self.app(fixture.store).test(.router) { client in
            let page = try await Self.get(client, "/compare?a=base&b=fixed")
            #expect(page.status == 200)
            #expect(page.body.contains("<dd id=\"flipped\">5</dd>"))  // ex1, ex3, ex5, ex7, ex9 fixed
            let flipped = try await Self.get(client, "/compare?a=base&b=fixed&flipped=1")
            #expect(flipped.body.contains("1–5 of 5"))
            #expect(flipped.body.contains("fixed</span>"))
            let mismatch = try await Self.get(client, "/compare?a=base&b=opt")
            #expect(mismatch.status == 400)
        }
    }

    @Test("a non-loopback console needs a token, on every request including the event stream")
    func token() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        #expect(throws: ConsoleError.self) {
            try ConsoleServer(store: fixture.store, configuration: .init(host: "0.0.0.0"))
        }
        for unusable in ["short", "a token with spaces in it", "semicolon;token-0123456789"] {
            #expect(throws: ConsoleError.self) {
                try ConsoleServer(store: fixture.store, configuration: .init(host: "0.0.0.0", token: unusable))
            }
        }
        let token = "s3cret-console-token-0123"
        try await Self.app(fixture.store, token: token, host: "0.0.0.0").test(.router) { client in
            for path in ["/", "/events", "/runs/base", "/runs/opt/program.json"] {
                let refused = try await Self.get(client, path)
                #expect(refused.status == 401, "\(path)")
                #expect(!refused.body.contains(token))
            }
            let wrong = try await Self.get(client, "/", headers: [.authorization: "Bearer wrong-token-wrong-token"])
            #expect(wrong.status == 401)
            let bearer = try await Self.get(client, "/", headers: [.authorization: "Bearer \(token)"])
            #expect(bearer.status == 200)
            #expect(!bearer.body.contains(token))
            let once = try await Self.get(client, "/runs/base?token=\(token)&limit=3", headers: [:])
            #expect(once.status == 303)
            #expect(once.headers[.location] == "/runs/base?limit=3")
            #expect(once.headers[.setCookie]?.contains("HttpOnly; SameSite=Strict") == true)
            let cookie = try await Self.get(client, "/runs/base", headers: [.cookie: "dspex_console_token=\(token)"])
            #expect(cookie.status == 200)
            let post = try await client.execute(
                uri: "/runs/base/cancel", method: .post, headers: [.authorization: "Bearer nope-nope-nope-nope"]
            ) { Int($0.status.code) }
            #expect(post == 401)
        }
    }

    @Test("a loopback console refuses cross-site actions; actions are POST only")
    func loopbackChecks() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        try await Self.app(fixture.store).test(.router) { client in
            let crossSite = try await client.execute(
                uri: "/runs/base/cancel", method: .post,
                headers: [.origin: "http://attacker.example"]
            ) { Int($0.status.code) }
            #expect(crossSite == 403)
            let get = try await Self.get(client, "/runs/base/cancel")
            #expect(get.status != 200)
            // A completed run is left as it is, and the page is shown again.
            let cancel = try await client.execute(
                uri: "/runs/base/cancel", method: .post, headers: [.origin: "http://localhost"]
            ) { ($0.status.code, $0.headers[.location]) }
            #expect(cancel.0 == 303 && cancel.1 == "/runs/base")
            let resume = try await client.execute(uri: "/runs/base/resume", method: .post, headers: Self.local) {
                (Int($0.status.code), String(buffer: $0.body))
            }
            #expect(resume.0 == 409)
        }
    }

    @Test("the static report is one self-contained page: no script, no external reference, hostile text escaped")
    func staticReport() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        let html = try await StaticReport.html(run: "base", from: fixture.store).text
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
        #expect(html.contains("&lt;script&gt;window.__pwned"))
        #expect(html.contains("id=\"example-ex2\""))
        let compile = try await StaticReport.html(run: "opt", from: fixture.store).text
        #expect(compile.contains("<svg") && compile.contains("id=\"program\""))
    }
}
