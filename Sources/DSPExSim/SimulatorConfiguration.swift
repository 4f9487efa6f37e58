import Logging
import NIOCore
import NIOPosix

/// Options for a ``SimulatorServer``; every property has a default.
///
/// ```swift
/// var configuration = SimulatorConfiguration()
/// configuration.seed = 7
/// configuration.latency = .fixed(milliseconds: 5)
/// configuration.faults = FaultInjection(rate: 0.1)
/// let result = try await withSimulator(configuration) { server in server.baseURL }
/// ```
public struct SimulatorConfiguration: Sendable {
    /// The address to bind; keep it on loopback.
    public var host: String = "127.0.0.1"
    /// The port to bind; 0 picks a free port (read it from ``SimulatorServer/port`` after start).
    public var port: Int = 0
    /// The delay before each chat-completion reply.
    public var latency: SimulatedLatency = .fixed(milliseconds: 0)
    /// The requests that fail on purpose.
    public var faults: FaultInjection = .none
    /// Determines answers, fault choice and sampled latency; the same seed gives the same run.
    public var seed: UInt64 = 0
    /// The model id listed by `GET /v1/models`.
    public var modelName: String = "dspex-sim"
    /// Event-loop threads serving connections.
    public var threads: Int = System.coreCount
    /// How many recent requests `GET /requests` remembers.
    public var requestLogLimit: Int = 100_000
    /// When set, chat completions need `Authorization: Bearer <key>` and get OpenAI's 401 otherwise,
    /// so clients' handling of bad keys can be tested. The key is never logged or echoed.
    public var requiredAPIKey: String?
    /// Where the server logs its start, stop and unexpected errors.
    public var logger = Logger(label: "dspex.sim")

    /// A configuration with every option at its default.
    public init() {}
}

extension SimulatorServer {
    /// The options of a ``SimulatorServer``.
    public typealias Configuration = SimulatorConfiguration
}
