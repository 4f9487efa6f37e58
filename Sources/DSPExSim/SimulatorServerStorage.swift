import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Holds a ``SimulatorServer``'s lifecycle state machine behind a lock and carries out its
/// actions (binding, closing) after the lock is released.
final class SimulatorServerStorage: Sendable {
    /// What a running server holds: the listening channel and the event loops serving it.
    struct Bound: Sendable {
        var channel: any Channel
        var group: MultiThreadedEventLoopGroup
    }

    let engine: SimulatorEngine
    private let machine = Mutex(SimulatorServerStateMachine<Bound>())

    init(configuration: SimulatorConfiguration) {
        self.engine = SimulatorEngine(configuration: configuration)
    }

    var port: Int {
        self.machine.withLock { $0.port }
    }

    func start() async throws {
        switch self.machine.withLock({ $0.startRequested() }) {
        case .fail(let error):
            throw error
        case .bind:
            break
        }
        let configuration = self.engine.configuration
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        let engine = self.engine
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                        try pipeline.addHandler(SimulatorHTTPHandler(engine: engine))
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            self.machine.withLock { $0.bindFailed() }
            try? await group.shutdownGracefully()
            throw SimulatorError(
                .bindFailed, "Could not bind \(configuration.host):\(configuration.port): \(error).")
        }
        let port = channel.localAddress?.port ?? configuration.port
        switch self.machine.withLock({ $0.bound(Bound(channel: channel, group: group), port: port) }) {
        case .none:
            configuration.logger.debug(
                "DSPEx simulator listening",
                metadata: ["host": "\(configuration.host)", "port": "\(port)", "seed": "\(configuration.seed)"])
        case .releaseAndFail(let bound):
            try? await Self.release(bound)
            throw SimulatorError(.alreadyShutDown, "shutdown() was called while the simulator was starting.")
        }
    }

    func shutdown() async throws {
        switch self.machine.withLock({ $0.shutdownRequested() }) {
        case .none:
            return
        case .release(let bound):
            try await Self.release(bound)
            self.engine.configuration.logger.debug("DSPEx simulator stopped")
        }
    }

    private static func release(_ bound: Bound) async throws {
        do {
            try await bound.channel.close()
        } catch ChannelError.alreadyClosed {
            // Nothing to do.
        }
        try await bound.group.shutdownGracefully()
    }
}
