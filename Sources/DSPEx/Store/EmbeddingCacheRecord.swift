import Foundation
import GRDB

/// One cached embedding: a row of the `embeddingCache` table.
///
/// The key is SHA-256 hex of the embedding model and the text (never an API key or base URL), indexed by a 64-bit
/// hash of it as ``LMCacheRecord`` is; the vector is its `Float` components as little-endian 32-bit IEEE 754 bytes.
/// Use ``EmbeddingCache`` rather than this record directly.
public struct EmbeddingCacheRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    /// The table's name.
    public static let databaseTableName = "embeddingCache"

    /// The hash of ``key`` the table is indexed by (its first 16 hex digits as a signed integer).
    public var keyHash: Int64
    /// The SHA-256 hex of the model and the text.
    public var key: String
    /// The vector, 4 little-endian bytes per component.
    public var embedding: Data
    /// When the embedding was stored.
    public var createdAt: Date

    /// Creates a record.
    public init(key: String, embedding: Data, createdAt: Date = Date()) {
        keyHash = HashedCacheKey(key).storedHash
        self.key = key
        self.embedding = embedding
        self.createdAt = createdAt
    }
}
