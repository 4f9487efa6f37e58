/// Why a ``SimulatorServer`` could not start or stop.
public struct SimulatorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { self.name }

        /// ``SimulatorServer/start()`` was called on a server that was already started.
        public static let alreadyStarted = Code(name: "alreadyStarted")
        /// ``SimulatorServer/start()`` was called after ``SimulatorServer/shutdown()``.
        public static let alreadyShutDown = Code(name: "alreadyShutDown")
        /// The host and port could not be bound.
        public static let bindFailed = Code(name: "bindFailed")
    }

    /// What went wrong.
    public let code: Code
    /// One sentence with the context a user needs.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String {
        "SimulatorError.\(self.code): \(self.message)"
    }
}
