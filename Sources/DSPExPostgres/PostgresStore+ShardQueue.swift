import DSPEx
import Foundation
import PostgresNIO

extension PostgresStore: ShardQueue {
    /// Splits the first `examples` dataset positions of the run into shards of `shardSize`; existing shards stay.
    public func enqueueShards(runID: Int64, examples: Int, shardSize: Int) async throws {
        let size = max(1, shardSize)
        guard examples > 0 else { return }
        _ = try await rows(
            "enqueue the run's shards", code: .write, runID: runID,
            """
            INSERT INTO shard ("runId", shard, "firstIndex", "endIndex")
            SELECT \(runID), g, g * \(size), LEAST((g + 1) * \(size), \(examples))
            FROM generate_series(0, (\(examples) + \(size) - 1) / \(size) - 1) AS g
            ON CONFLICT DO NOTHING
            """)
    }

    /// Claims a pending shard of a running run (oldest run first) whose lease is free or ran out.
    public func claimShard(worker: WorkerIdentity, lease: Duration) async throws -> ShardClaim? {
        let rows = try await rows(
            "claim a shard", code: .write,
            """
            WITH candidate AS (
                SELECT s."runId", s.shard FROM shard s JOIN run r ON r.id = s."runId"
                WHERE s.status = 'pending' AND r.status = 'running'
                  AND (s."leaseExpires" IS NULL OR s."leaseExpires" < now())
                ORDER BY r."createdAt", r.id, s.shard
                LIMIT 1 FOR UPDATE OF s SKIP LOCKED
            )
            UPDATE shard s SET "leaseOwner" = \(worker.id),
                "leaseExpires" = now() + make_interval(secs => \(Self.seconds(lease))), claims = s.claims + 1
            FROM candidate c, run r
            WHERE s."runId" = c."runId" AND s.shard = c.shard AND r.id = s."runId"
            RETURNING s."runId", r.name, s.shard, s."firstIndex", s."endIndex"
            """)
        guard let row = rows.first else { return nil }
        do {
            let (runID, name, shard, first, end) = try row.decode((Int64, String, Int, Int, Int).self)
            return ShardClaim(runID: runID, runName: name, shard: shard, range: first..<end, worker: worker)
        } catch {
            throw storeError(error, code: .invalidData, operation: "claim a shard", runID: nil)
        }
    }

    /// Extends the lease; `false` when the worker no longer holds it.
    public func renewLease(_ claim: ShardClaim, lease: Duration) async throws -> Bool {
        let rows = try await rows(
            "renew the lease of shard \(claim.shard)", code: .write, runID: claim.runID,
            """
            UPDATE shard SET "leaseExpires" = now() + make_interval(secs => \(Self.seconds(lease)))
            WHERE "runId" = \(claim.runID) AND shard = \(claim.shard) AND "leaseOwner" = \(claim.worker.id)
              AND status = 'pending'
            RETURNING 1
            """)
        return !rows.isEmpty
    }

    /// Gives the shard back, pending, if the worker still holds it.
    public func releaseShard(_ claim: ShardClaim) async throws {
        _ = try await rows(
            "release shard \(claim.shard)", code: .write, runID: claim.runID,
            """
            UPDATE shard SET "leaseOwner" = NULL, "leaseExpires" = NULL
            WHERE "runId" = \(claim.runID) AND shard = \(claim.shard) AND "leaseOwner" = \(claim.worker.id)
              AND status = 'pending'
            """)
    }

    /// Marks the shard done under the run's row lock, so that exactly one finisher sees the run's last shard done.
    public func finishShard(_ claim: ShardClaim) async throws -> Bool {
        let results = try await transaction(
            "finish shard \(claim.shard) of run \(claim.runID)",
            [
                "SELECT 1 FROM run WHERE id = \(claim.runID) FOR UPDATE",
                """
                UPDATE shard SET status = 'done', "leaseExpires" = NULL, "finishedBy" = \(claim.worker.id)
                WHERE "runId" = \(claim.runID) AND shard = \(claim.shard)
                """,
                "SELECT COUNT(*)::bigint FROM shard WHERE \"runId\" = \(claim.runID) AND status <> 'done'",
            ])
        do {
            return try results.last?.first?.decode(Int.self) == 0
        } catch {
            throw storeError(error, code: .invalidData, operation: "finish shard \(claim.shard)", runID: claim.runID)
        }
    }

    /// How many shards of running runs are not done (claimed or not).
    public func unfinishedShardCount() async throws -> Int {
        try await value(
            Int.self, "count the unfinished shards",
            """
            SELECT COUNT(*)::bigint FROM shard s JOIN run r ON r.id = s."runId"
            WHERE s.status = 'pending' AND r.status = 'running'
            """) ?? 0
    }

    /// Takes a token from the run's bucket in one statement (refilled by the time since its last use, capped at one
    /// second's worth); a negative balance is a debt the caller waits out.
    public func reserveRequests(runID: Int64, perMinute: Int) async throws -> Duration {
        let rate = Double(max(1, perMinute)) / 60
        let burst = max(1, rate)
        let balance =
            try await value(
                Double.self, "take a request from the run's rate limit", runID: runID,
                """
                INSERT INTO "rateBucket" AS b ("runId", tokens, "updatedAt") VALUES (\(runID), \(burst - 1), now())
                ON CONFLICT ("runId") DO UPDATE SET
                    tokens = LEAST(\(burst), b.tokens + EXTRACT(epoch FROM now() - b."updatedAt")::float8 * \(rate)) - 1,
                    "updatedAt" = now()
                RETURNING tokens
                """) ?? 0
        return balance >= 0 ? .zero : .milliseconds(Int64((-balance / rate * 1000).rounded(.up)))
    }

    /// The run's shards, in order.
    public func shards(runID: Int64) async throws -> [ShardRecord] {
        try await records(
            ShardRecord.self, "read the run's shards", runID: runID,
            """
            SELECT \(unescaped: PostgresTableShape.shard.json("s")) FROM shard s WHERE s."runId" = \(runID)
            ORDER BY s.shard
            """)
    }

    /// Records the worker's heartbeat.
    public func heartbeat(_ worker: WorkerIdentity, runID: Int64?) async throws {
        _ = try await rows(
            "record the heartbeat of worker \(worker.id)", code: .write,
            """
            INSERT INTO worker (id, host, pid, "startedAt", "heartbeatAt", "runId")
            VALUES (\(worker.id), \(worker.host), \(worker.pid), now(), now(), \(runID))
            ON CONFLICT (id) DO UPDATE SET "heartbeatAt" = now(), "runId" = excluded."runId"
            """)
    }

    /// The workers seen in the last `within`, newest heartbeat first.
    public func workers(within: Duration) async throws -> [WorkerRecord] {
        try await records(
            WorkerRecord.self, "list the workers",
            """
            SELECT \(unescaped: PostgresTableShape.worker.json("w")) FROM worker w
            WHERE w."heartbeatAt" > now() - make_interval(secs => \(Self.seconds(within)))
            ORDER BY w."heartbeatAt" DESC, w.id
            """)
    }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
