import Foundation
import GRDB

extension Store {
    /// The reply stored under `key` (a request's ``LMRequest/cacheKey``), or `nil`.
    ///
    /// The returned reply has ``LMResponse/cached`` set.
    /// - Throws: ``StoreError`` with ``StoreError/Code/invalidData`` if the stored JSON is not a reply.
    public func cachedResponse(forKey key: String) throws -> LMResponse? {
        let text = try read("read a cached reply") { db in
            try String.fetchOne(db, sql: "SELECT response FROM lmCache WHERE key = ?", arguments: [key])
        }
        return try text.map { try decodeResponse($0, key: key) }
    }

    /// Like ``cachedResponse(forKey:)``, for async callers (the read runs on a reader connection).
    func cachedResponseAsync(forKey key: String) async throws -> LMResponse? {
        let text: String?
        do {
            text = try await pool.read { db in
                try String.fetchOne(db, sql: "SELECT response FROM lmCache WHERE key = ?", arguments: [key])
            }
        } catch {
            throw StoreError.wrapping(error, code: .read, operation: "read a cached reply", path: path)
        }
        return try text.map { try decodeResponse($0, key: key) }
    }

    private func decodeResponse(_ text: String, key: String) throws -> LMResponse {
        do {
            var response = try JSONDecoder().decode(LMResponse.self, from: Data(text.utf8))
            response.cached = true
            return response
        } catch {
            throw StoreError(
                code: .invalidData,
                message: "the cached reply \(key.prefix(12))… in \(path) is not a valid reply: \(error)",
                path: path)
        }
    }

    /// Stores replies by key in one transaction; an existing key is overwritten.
    public func storeResponses(_ entries: [(key: String, response: LMResponse)]) throws {
        guard !entries.isEmpty else { return }
        let rows = try encodeResponses(entries)
        try write("store \(rows.count) cached replies") { db in try Self.upsertCache(rows, in: db) }
    }

    /// Like ``storeResponses(_:)``, waiting without blocking a thread.
    public func storeResponses(_ entries: [(key: String, response: LMResponse)]) async throws {
        guard !entries.isEmpty else { return }
        let rows = try encodeResponses(entries)
        try await asyncWrite("store \(rows.count) cached replies") { db in try Self.upsertCache(rows, in: db) }
    }

    /// How many replies the cache table holds.
    public func cachedResponseCount() throws -> Int {
        try read("count cached replies") { db in try LMCacheRecord.fetchCount(db) }
    }

    func encodeResponses(_ entries: [(key: String, response: LMResponse)]) throws -> [LMCacheRecord] {
        let now = Date()
        return try entries.map { entry in
            var response = entry.response
            response.cached = false
            return LMCacheRecord(
                key: entry.key, response: try Self.json(response, what: "a reply to cache", path: path), createdAt: now)
        }
    }

    static func upsertCache(_ rows: [LMCacheRecord], in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO lmCache (key, response, createdAt) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET response = excluded.response, createdAt = excluded.createdAt
                """)
        for row in rows {
            statement.setUncheckedArguments([row.key, row.response, row.createdAt])
            try statement.execute()
        }
    }
}
