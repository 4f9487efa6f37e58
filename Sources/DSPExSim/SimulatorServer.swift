/// An OpenAI-compatible chat-completions server on loopback that answers DSPy prompts
/// deterministically, with configurable latency and injected faults.
///
/// Use it in tests, benchmarks and demos instead of a real model. It reads DSPy's
/// ChatAdapter and JSONAdapter prompts as text, fills every output field with a value of the
/// right type, and answers "What is A + B?" correctly with a probability that grows with the
/// demos and instructions in the prompt (see ``ArithmeticOracle``). Prefer ``withSimulator(_:isolation:_:)``,
/// which always shuts the server down.
///
/// ```swift
/// let server = SimulatorServer(configuration: .init())
/// try await server.start()
/// print(server.baseURL)            // http://127.0.0.1:PORT/v1
/// // ... point an OpenAI-compatible client at baseURL ...
/// try await server.shutdown()
/// ```
///
/// Endpoints: `POST /v1/chat/completions` (also `/chat/completions`), `GET /v1/models`,
/// `GET /health`, `GET /stats`, `GET /requests`, `POST /reset`.
public final class SimulatorServer: Sendable {
    private let storage: SimulatorServerStorage

    /// Creates a server; nothing is bound until ``start()``.
    public init(configuration: SimulatorConfiguration = .init()) {
        self.storage = SimulatorServerStorage(configuration: configuration)
    }

    /// The configuration the server was created with.
    public var configuration: SimulatorConfiguration {
        self.storage.engine.configuration
    }

    /// Binds the configured host and port and starts serving.
    ///
    /// - Throws: ``SimulatorError`` when the server was already started or shut down, or the port cannot be bound.
    public func start() async throws {
        try await self.storage.start()
    }

    /// The bound port; valid once ``start()`` returned (0 before).
    public var port: Int {
        self.storage.port
    }

    /// The OpenAI base URL, `http://HOST:PORT/v1`.
    public var baseURL: String {
        "http://\(self.configuration.host):\(self.port)/v1"
    }

    /// A snapshot of the counters since start or the last reset.
    public func stats() -> SimulatorStats {
        self.storage.engine.recorder.stats()
    }

    /// The final user messages of the most recent chat-completion requests, oldest first.
    public func recentRequests() -> [SimulatorRequestRecord] {
        self.storage.engine.recorder.records()
    }

    /// Zeroes the stats, empties the request log and restarts arrival indices (as `POST /reset`).
    public func reset() {
        self.storage.engine.recorder.reset()
    }

    /// Stops accepting connections, closes open ones and stops the event-loop threads. Safe to call twice.
    public func shutdown() async throws {
        try await self.storage.shutdown()
    }
}
