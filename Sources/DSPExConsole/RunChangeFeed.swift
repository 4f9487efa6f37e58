import DSPEx
import ServiceLifecycle
import Synchronization

/// The console's one change feed: a single loop per server reads the store's runs (with running runs' totals so
/// far) every ``Configuration/interval`` while anyone is subscribed and hands each changed snapshot to every
/// subscriber — each browser's event stream — so the server's work does not grow with the number of clients
/// watching, and an idle console reads nothing.
///
/// Runs are written by other processes (`dspex eval`, detached compiles), which SQLite cannot notify across
/// processes: the feed reads, but once, for everybody. Run it as a service of the application.
///
/// ```swift
/// let feed = RunChangeFeed(store: store)
/// for await snapshot in feed.subscribe() { print(snapshot) }   // JSON arrays of run progress
/// ```
public final class RunChangeFeed: Service, Sendable {
    /// How the feed reads.
    public struct Configuration: Sendable {
        /// Time between reads of the store.
        public var interval: Duration
        /// The longest a subscriber goes without hearing from the feed: after that long without a change, it gets
        /// the latest snapshot again (an empty string when there is none, which the event stream sends as an SSE
        /// comment), so that a proxy between the console and a browser does not close an idle stream. Repeating the
        /// snapshot, rather than sending a marker, means a heartbeat can never displace an unread change.
        public var keepAlive: Duration

        /// Creates a configuration; the default reads twice a second and sends a heartbeat after 15 quiet seconds.
        public init(interval: Duration = .milliseconds(500), keepAlive: Duration = .seconds(15)) {
            self.interval = interval
            self.keepAlive = keepAlive
        }
    }

    private struct State {
        var latest: String?
        var subscribers: [Int: AsyncStream<String>.Continuation] = [:]
        var nextID = 0
        var finished = false
        /// Time since the last snapshot or heartbeat was sent.
        var quiet: Duration = .zero
    }

    private let store: any Store
    private let configuration: Configuration
    private let clock: any Clock<Duration>
    private let state = Mutex(State())

    /// Creates a feed of `store`'s runs.
    public init(
        store: any Store, configuration: Configuration = .init(), clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
    }

    /// The runs' progress now, as the JSON text the event stream sends.
    public func snapshot() async throws -> String {
        await Value.array(try RunReport.allLive(in: store).map(\.progressValue)).jsonString()
    }

    /// Reads the store until cancelled (or the service group shuts down), publishing every change; subscribers'
    /// streams end when it returns.
    public func run() async throws {
        defer { finish() }
        // A graceful shutdown (SIGINT, SIGTERM) cancels the loop, as it stops the server.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                // Nobody listening: nothing is read (and the next subscriber gets a fresh snapshot). A failed read
                // (the store busy, a file being replaced) is skipped: the next one retries.
                if self.hasSubscribers, let snapshot = try? await self.snapshot() { self.publish(snapshot) }
                try await self.clock.sleep(for: self.configuration.interval)
                self.tick(self.configuration.interval)
            }
        }
    }

    /// Publishes `snapshot` to every subscriber if it differs from the last one.
    func publish(_ snapshot: String) {
        let subscribers = state.withLock { state -> [AsyncStream<String>.Continuation] in
            guard state.latest != snapshot else { return [] }
            state.latest = snapshot
            state.quiet = .zero
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(snapshot) }
    }

    /// Counts `elapsed` as quiet time, and sends every subscriber a heartbeat (the latest snapshot again, or an
    /// empty string) once it reaches ``Configuration/keepAlive``.
    func tick(_ elapsed: Duration) {
        let keepAlive = configuration.keepAlive
        let (subscribers, heartbeat) = state.withLock { state -> ([AsyncStream<String>.Continuation], String) in
            state.quiet += elapsed
            guard state.quiet >= keepAlive, !state.subscribers.isEmpty else { return ([], "") }
            state.quiet = .zero
            return (Array(state.subscribers.values), state.latest ?? "")
        }
        for subscriber in subscribers { subscriber.yield(heartbeat) }
    }

    private func finish() {
        let subscribers = state.withLock { state -> [AsyncStream<String>.Continuation] in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// A stream of snapshots: the latest at once (when there is one), then every change, and the latest again as a
    /// heartbeat after ``Configuration/keepAlive`` without one (an empty string before any). It ends when the feed
    /// stops or the subscriber stops listening.
    public func subscribe() -> AsyncStream<String> {
        subscription().stream
    }

    /// Like ``subscribe()``, with a function that ends the stream early (when the server shuts down).
    public func subscription() -> (stream: AsyncStream<String>, end: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let (id, latest, finished) = state.withLock { state -> (Int, String?, Bool) in
            let id = state.nextID
            state.nextID += 1
            if !state.finished { state.subscribers[id] = continuation }
            return (id, state.latest, state.finished)
        }
        if let latest { continuation.yield(latest) }
        if finished {
            continuation.finish()
        } else {
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
            }
        }
        return (stream, { continuation.finish() })
    }

    /// Whether any stream is subscribed; when none is, the last snapshot is forgotten, so the next subscriber is
    /// sent the store as it is then, not as it was.
    private var hasSubscribers: Bool {
        state.withLock { state in
            if state.subscribers.isEmpty { state.latest = nil }
            return !state.subscribers.isEmpty
        }
    }

    /// How many streams are subscribed.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }
}
