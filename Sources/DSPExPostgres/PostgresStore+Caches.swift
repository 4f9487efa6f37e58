import DSPEx
import Foundation
import PostgresNIO

extension PostgresStore {
    /// The reply text stored under `key`, or `nil`.
    public func cachedReplyText(forKey key: String) async throws -> String? {
        try await value(
            String.self, "read a cached reply",
            "SELECT response FROM \"lmCache\" WHERE \"keyHash\" = \(LMCacheRecord.keyHash(of: key)) AND key = \(key)")
    }

    /// Stores cached replies in one statement; an existing key is overwritten.
    public func storeCachedReplies(_ rows: [LMCacheRecord]) async throws {
        guard !rows.isEmpty else { return }
        let json = try json(Self.lastOfEach(rows, key: \.key), what: "\(rows.count) cached replies")
        _ = try await self.rows(
            "store \(rows.count) cached replies", code: .write,
            PostgresQuery(
                unsafeSQL: PostgresTableShape.lmCache.insert(conflict: ["keyHash", "key"]), binds: Self.binds(json)))
    }

    /// How many replies the cache holds.
    public func cachedResponseCount() async throws -> Int {
        try await value(Int.self, "count cached replies", "SELECT COUNT(*)::bigint FROM \"lmCache\"") ?? 0
    }

    /// Calls `body` with every key of the cache, a page at a time in memory.
    public nonisolated(nonsending) func forEachCachedKey(_ body: (String) -> Void) async throws {
        try await forEachCacheRow(columns: "key", "read the cache's keys") { row in body(try row.decode(String.self)) }
    }

    /// Calls `body` with every key and reply text of the cache, a page at a time in memory.
    public nonisolated(nonsending) func forEachCachedReply(_ body: (String, String) -> Void) async throws {
        try await forEachCacheRow(columns: "key, response", "read the cached replies") { row in
            let (key, response) = try row.decode((String, String).self)
            body(key, response)
        }
    }

    /// Reads the LM cache in pages in its index's order, calling `body` with each row (its `keyHash` last).
    private nonisolated(nonsending) func forEachCacheRow(
        columns: String, _ operation: String, _ body: (PostgresRow) throws -> Void
    ) async throws {
        var after: (hash: Int64, key: String)? = nil
        while true {
            var binds = PostgresBindings()
            var position = ""
            if let after {
                binds.append(after.hash)
                binds.append(after.key)
                position = "WHERE (\"keyHash\", key) > ($1, $2)"
            }
            let page = try await rows(
                operation,
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(columns), "keyHash", key FROM "lmCache" \(position)
                        ORDER BY "keyHash", key LIMIT \(Self.pageSize)
                        """, binds: binds))
            do {
                for row in page { try body(row) }
                guard page.count == Self.pageSize, let last = page.last else { return }
                let cells = Array(last)
                after = (try cells[cells.count - 2].decode(Int64.self), try cells[cells.count - 1].decode(String.self))
            } catch {
                throw storeError(error, code: .invalidData, operation: operation, runID: nil)
            }
        }
    }

    /// The stored embeddings (packed floats) of those of `keys` the cache holds.
    public func cachedEmbeddingData(forKeys keys: [String]) async throws -> [String: Data] {
        guard !keys.isEmpty else { return [:] }
        let unique = Array(Set(keys))
        let hashes = unique.map(LMCacheRecord.keyHash(of:))
        let found = try await records(
            EmbeddingCacheRecord.self, "read cached embeddings",
            """
            SELECT \(unescaped: PostgresTableShape.embeddingCache.json("e")) FROM "embeddingCache" e
            WHERE e."keyHash" = ANY(\(hashes)) AND e.key = ANY(\(unique))
            """)
        return Dictionary(found.map { ($0.key, $0.embedding) }, uniquingKeysWith: { first, _ in first })
    }

    /// Stores embeddings in one statement; an existing key is overwritten.
    public func storeCachedEmbeddings(_ rows: [EmbeddingCacheRecord]) async throws {
        guard !rows.isEmpty else { return }
        let json = try json(Self.lastOfEach(rows, key: \.key), what: "\(rows.count) cached embeddings")
        _ = try await self.rows(
            "store \(rows.count) cached embeddings", code: .write,
            PostgresQuery(
                unsafeSQL: PostgresTableShape.embeddingCache.insert(conflict: ["keyHash", "key"]),
                binds: Self.binds(json)))
    }

    /// How many embeddings the cache holds.
    public func cachedEmbeddingCount() async throws -> Int {
        try await value(Int.self, "count cached embeddings", "SELECT COUNT(*)::bigint FROM \"embeddingCache\"") ?? 0
    }
}
