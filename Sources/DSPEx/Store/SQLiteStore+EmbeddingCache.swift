import Foundation
import GRDB

extension SQLiteStore {
    /// The stored embedding bytes among `keys`, by key (keys not stored are absent).
    ///
    /// One indexed read per 500 keys: an embedder looks up a whole batch of texts at once.
    public func cachedEmbeddingData(forKeys keys: [String]) throws -> [String: Data] {
        guard !keys.isEmpty else { return [:] }
        let wanted = Set(keys)
        let hashes = Array(Set(keys.map { HashedCacheKey($0).storedHash }))
        return try read("read cached embeddings") { db in
            var found: [String: Data] = [:]
            for start in stride(from: 0, to: hashes.count, by: 500) {
                let chunk = Array(hashes[start..<min(start + 500, hashes.count)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT key, embedding FROM embeddingCache WHERE keyHash IN (\(marks))",
                    arguments: StatementArguments(chunk))
                while let row = try rows.next() {
                    let key: String = row[0]
                    if wanted.contains(key) { found[key] = row[1] }
                }
            }
            return found
        }
    }

    /// Stores cached embeddings in one transaction, waiting without blocking a thread (and committing even if the
    /// calling task is cancelled); an existing key is overwritten.
    public func storeCachedEmbeddings(_ rows: [EmbeddingCacheRecord]) async throws {
        guard !rows.isEmpty else { return }
        try await asyncWrite("store \(rows.count) cached embeddings") { db in
            let update = try db.cachedStatement(
                sql: "UPDATE embeddingCache SET embedding = ?, createdAt = ? WHERE keyHash = ? AND key = ?")
            let insert = try db.cachedStatement(
                sql: "INSERT INTO embeddingCache (keyHash, key, embedding, createdAt) VALUES (?, ?, ?, ?)")
            for row in rows {
                update.setUncheckedArguments([row.embedding, row.createdAt, row.keyHash, row.key])
                try update.execute()
                guard db.changesCount == 0 else { continue }
                insert.setUncheckedArguments([row.keyHash, row.key, row.embedding, row.createdAt])
                try insert.execute()
            }
        }
    }

    /// How many embeddings the cache table holds.
    public func cachedEmbeddingCount() throws -> Int {
        try read("count cached embeddings") { db in try EmbeddingCacheRecord.fetchCount(db) }
    }
}
