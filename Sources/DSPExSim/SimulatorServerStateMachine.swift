/// The lifecycle of a ``SimulatorServer``: idle → starting → running → shut down.
///
/// A synchronous value type; every transition returns the action the server must carry out
/// after releasing its lock, so the rules can be unit-tested without sockets or tasks.
/// `Resources` is what binding produced (the server channel and its event loops) and what
/// shutting down must release.
struct SimulatorServerStateMachine<Resources: Sendable>: Sendable {
    /// Where the server is in its lifecycle.
    enum State: Sendable {
        case idle
        case starting(shutdownRequested: Bool)
        case running(Resources, port: Int)
        case shutDown(port: Int)
    }

    private(set) var state: State = .idle

    /// What ``SimulatorServer/start()`` must do.
    enum StartAction: Sendable, Equatable {
        case bind
        case fail(SimulatorError)
    }

    /// What ``SimulatorServer/start()`` must do once binding finished.
    enum BoundAction: Sendable {
        case none
        /// Shutdown was requested while binding: release what was bound, then report it.
        case releaseAndFail(Resources)
    }

    /// What ``SimulatorServer/shutdown()`` must do.
    enum ShutdownAction: Sendable {
        case none
        case release(Resources)
    }

    /// The bound port, 0 before binding.
    var port: Int {
        switch self.state {
        case .idle, .starting: 0
        case .running(_, let port), .shutDown(let port): port
        }
    }

    mutating func startRequested() -> StartAction {
        switch self.state {
        case .idle:
            self.state = .starting(shutdownRequested: false)
            return .bind
        case .starting, .running:
            return .fail(SimulatorError(.alreadyStarted, "start() was called on a simulator that is already started."))
        case .shutDown:
            return .fail(SimulatorError(.alreadyShutDown, "start() was called on a simulator that was shut down."))
        }
    }

    mutating func bound(_ resources: Resources, port: Int) -> BoundAction {
        switch self.state {
        case .starting(shutdownRequested: false):
            self.state = .running(resources, port: port)
            return .none
        case .starting(shutdownRequested: true):
            self.state = .shutDown(port: port)
            return .releaseAndFail(resources)
        case .idle, .running, .shutDown:
            preconditionFailure("bound(_:port:) is only called after startRequested() returned .bind")
        }
    }

    mutating func bindFailed() {
        self.state = .shutDown(port: 0)
    }

    mutating func shutdownRequested() -> ShutdownAction {
        switch self.state {
        case .idle:
            self.state = .shutDown(port: 0)
            return .none
        case .starting:
            self.state = .starting(shutdownRequested: true)
            return .none
        case .running(let resources, let port):
            self.state = .shutDown(port: port)
            return .release(resources)
        case .shutDown:
            return .none
        }
    }
}
