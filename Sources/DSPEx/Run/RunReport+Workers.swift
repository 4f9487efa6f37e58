import Foundation
import OrderedCollections

extension RunReport {
    /// How long after its last heartbeat a worker still counts as alive (a working worker beats every
    /// ``RunWorker/heartbeatInterval``, an idle one at every look for work).
    public static let workerLiveness: Duration = .seconds(10)

    /// A run shared by workers: its shards (done, held, taken over) and the workers holding them, with their
    /// liveness; `nil` for a run that is not split into shards, or a store that shares no work.
    public func sharing(in store: any Store) async throws -> Value? {
        guard let queue = store as? any ShardQueue else { return nil }
        let shards = try await queue.shards(runID: id)
        guard !shards.isEmpty else { return nil }
        let now = Date()
        let workers = try await queue.workers(within: .seconds(24 * 3600))
        var held: OrderedDictionary<String, [Int]> = [:]
        for shard in shards where shard.status == ShardRecord.Status.pending {
            if let owner = shard.leaseOwner, let expires = shard.leaseExpires, expires > now {
                held[owner, default: []].append(shard.shard)
            }
        }
        var finished: [String: [Int]] = [:]
        for shard in shards { if let worker = shard.finishedBy { finished[worker, default: []].append(shard.shard) } }
        let seen = workers.filter { $0.runId == id || held[$0.id] != nil || finished[$0.id] != nil }
        let workerValues = seen.map { worker -> Value in
            let age = now.timeIntervalSince(worker.heartbeatAt)
            let live = age <= Double(Self.workerLiveness.components.seconds)
            return .object([
                "id": .string(worker.id), "host": .string(worker.host), "pid": .int(worker.pid),
                "heartbeat_seconds_ago": .double((age * 10).rounded() / 10), "live": .bool(live),
                "shards": .array((held[worker.id] ?? []).map { .int($0) }),
                "finished": .array((finished[worker.id] ?? []).map { .int($0) }),
            ])
        }
        return .object([
            "shards": .int(shards.count),
            "done": .int(shards.filter { $0.status == ShardRecord.Status.done }.count),
            "held": .int(held.values.reduce(0) { $0 + $1.count }),
            "taken_over": .int(shards.filter { $0.claims > 1 }.count),
            "workers": .array(workerValues),
        ])
    }
}
