import Foundation
import GRDB

extension SQLiteStore {
    /// The reply text stored under `key` (a request's cache key), or `nil`.
    ///
    /// The cache looks up every call, so this is a point read with a prepared statement kept by the reader
    /// connection, and synchronous: it takes microseconds, less than hopping to a reader's queue and back would.
    public func cachedReplyText(forKey key: String) throws -> String? {
        do {
            // One statement is atomic on its own: no transaction around it.
            return try pool.unsafeRead { db in
                try String.fetchOne(
                    db.cachedStatement(sql: "SELECT response FROM lmCache WHERE keyHash = ? AND key = ?"),
                    arguments: [HashedCacheKey(key).storedHash, key])
            }
        } catch {
            throw StoreError.wrapping(error, code: .read, operation: "read a cached reply", path: path)
        }
    }

    /// Calls `body` with every key of the cache table, one row in memory at a time.
    public func forEachCachedKey(_ body: (String) -> Void) throws {
        try read("read the cache's keys") { db in
            let cursor = try String.fetchCursor(db, sql: "SELECT key FROM lmCache")
            while let key = try cursor.next() { body(key) }
        }
    }

    /// Calls `body` with every stored key and reply text, one row in memory at a time.
    public func forEachCachedReply(_ body: (String, String) -> Void) throws {
        try read("read the cached replies") { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT key, response FROM lmCache")
            while let row = try rows.next() { body(row[0], row[1]) }
        }
    }

    /// Stores cached replies in one transaction; an existing key is overwritten.
    public func storeCachedReplies(_ rows: [LMCacheRecord]) throws {
        guard !rows.isEmpty else { return }
        try write("store \(rows.count) cached replies") { db in try Self.upsertCache(rows, in: db) }
    }

    /// Like ``storeCachedReplies(_:)``, waiting without blocking a thread (and committing even if the calling task
    /// is cancelled).
    public func storeCachedReplies(_ rows: [LMCacheRecord]) async throws {
        guard !rows.isEmpty else { return }
        try await asyncWrite("store \(rows.count) cached replies") { db in try Self.upsertCache(rows, in: db) }
    }

    /// How many replies the cache table holds.
    public func cachedResponseCount() throws -> Int {
        try read("count cached replies") { db in try LMCacheRecord.fetchCount(db) }
    }

    static func upsertCache(_ rows: [LMCacheRecord], in db: Database) throws {
        let update = try db.cachedStatement(
            sql: "UPDATE lmCache SET response = ?, createdAt = ? WHERE keyHash = ? AND key = ?")
        let insert = try db.cachedStatement(
            sql: "INSERT INTO lmCache (keyHash, key, response, createdAt) VALUES (?, ?, ?, ?)")
        // Every row of a batch has the same date: convert it once.
        var createdAt = rows.first?.createdAt.databaseValue ?? .null
        for row in rows {
            if row.createdAt != rows.first?.createdAt { createdAt = row.createdAt.databaseValue }
            // A key is stored once: replaced if there (found through the hash index), else added.
            update.setUncheckedArguments([row.response, createdAt, row.keyHash, row.key])
            try update.execute()
            guard db.changesCount == 0 else { continue }
            insert.setUncheckedArguments([row.keyHash, row.key, row.response, createdAt])
            try insert.execute()
        }
    }
}
