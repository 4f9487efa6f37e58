import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who a worker process is: its host, its process id and a random part (a restarted process is a new worker).
public struct WorkerIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The worker's unique id, `host:pid:random`.
    public let id: String
    /// The host the worker runs on.
    public let host: String
    /// The worker's process id.
    public let pid: Int

    /// Creates an identity for this process.
    public init() {
        host = ProcessInfo.processInfo.hostName
        pid = Int(getpid())
        id = "\(host):\(pid):\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates an identity with the given parts.
    public init(id: String, host: String, pid: Int) {
        self.id = id
        self.host = host
        self.pid = pid
    }

    public var description: String { id }
}
