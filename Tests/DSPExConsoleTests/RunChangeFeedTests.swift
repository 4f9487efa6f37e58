import AsyncHTTPClient
import DSPEx
import DSPExTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import DSPExConsole

/// The one change feed per server and the event stream it feeds.
@Suite(.timeLimit(.minutes(3)))
struct RunChangeFeedTests {
    @Test("a subscriber gets the latest snapshot at once, then only changes")
    func publishesChanges() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let feed = RunChangeFeed(store: store)
        feed.publish("[1]")
        var iterator = feed.subscribe().makeAsyncIterator()
        #expect(await iterator.next() == "[1]")
        feed.publish("[1]")  // unchanged: not sent
        feed.publish("[2]")
        #expect(await iterator.next() == "[2]")
        #expect(feed.subscriberCount == 1)
    }

    @Test("after keepAlive without a change a subscriber gets the latest snapshot again; a change restarts the wait")
    func heartbeat() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let feed = RunChangeFeed(store: store, configuration: .init(keepAlive: .seconds(15)))
        var iterator = feed.subscribe().makeAsyncIterator()
        feed.tick(.seconds(15))  // nothing published yet: an empty heartbeat (an SSE comment)
        #expect(await iterator.next() == "")
        feed.publish("[1]")
        #expect(await iterator.next() == "[1]")
        feed.tick(.seconds(10))
        feed.publish("[2]")  // a change: the quiet time starts again
        #expect(await iterator.next() == "[2]")
        feed.tick(.seconds(10))
        feed.tick(.seconds(5))
        #expect(await iterator.next() == "[2]")
        feed.publish("[3]")
        #expect(await iterator.next() == "[3]")
    }

    @Test("the feed reads only while someone listens: a subscriber to an idle feed gets the store as it is then")
    func idleFeed() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let feed = RunChangeFeed(store: store, configuration: .init(interval: .milliseconds(20)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await feed.run() }
            try await Task.sleep(for: .milliseconds(100))  // idle: nothing is read, no snapshot is kept
            _ = try store.createRun(
                name: "a", kind: RunRecord.Kind.eval, pipeline: "p", pipelineHash: "h", datasetHash: "d", config: "{}")
            var iterator = feed.subscribe().makeAsyncIterator()
            let first = try #require(await iterator.next())
            #expect(first.contains("\"name\":\"a\""))
            group.cancelAll()
        }
    }

    @Test("the event stream sends the runs' progress over a live server, and stops with the feed")
    func eventStream() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        let server = try ConsoleServer(
            store: fixture.store, configuration: .init(port: 0, feed: .init(interval: .milliseconds(50))))
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/events")
            // A client of its own, shut down at the end: that closes the stream, which the server then ends.
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            defer { _ = http.shutdown() }
            let response = try await http.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
            #expect(response.headers["Content-Type"].first == "text/event-stream")
            var text = ""
            for try await chunk in response.body {
                text += String(buffer: chunk)
                if text.contains("\n\n") { break }
            }
            #expect(text.hasPrefix("data: ["))
            let json = try Value(
                json: String(text.dropFirst("data: ".count)).trimmingCharacters(in: .whitespacesAndNewlines))
            let names = (json.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(Set(names) == ["base", "fixed", "opt"])
        }
    }

    @Test("a loopback console refuses a request addressed to another host name (DNS rebinding)")
    func rebinding() async throws {
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        let server = try ConsoleServer(store: fixture.store, configuration: .init(port: 0))
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            for (host, status) in [("attacker.example:\(port)", 403), ("127.0.0.1:\(port)", 200), ("localhost", 200)] {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/")
                request.headers.replaceOrAdd(name: "Host", value: host)
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(Int(response.status.code) == status, "\(host)")
            }
        }
    }
}
