import Foundation

/// A worker process as the shared store last saw it.
public struct WorkerRecord: Sendable, Hashable, Codable {
    /// The worker's id (``WorkerIdentity/id``).
    public var id: String
    /// Its host.
    public var host: String
    /// Its process id.
    public var pid: Int
    /// When it started.
    public var startedAt: Date
    /// Its last heartbeat.
    public var heartbeatAt: Date
    /// The run it works on, if any.
    public var runId: Int64?

    /// Creates a record.
    public init(id: String, host: String, pid: Int, startedAt: Date, heartbeatAt: Date, runId: Int64?) {
        self.id = id
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.runId = runId
    }
}
