import Foundation
import GRDB

/// One cached language-model reply: a row of the `lmCache` table.
///
/// The key is the request's ``LMRequest/cacheKey`` (SHA-256 hex of the request identity, which
/// never includes an API key or base URL), indexed by a 64-bit hash of it (an index of 8-byte integers
/// instead of 64-byte texts: a batch of random keys rewrites a fraction of the pages); the reply is
/// ``LMResponse``'s JSON. Use ``PersistentLMCache`` rather than this record directly.
public struct LMCacheRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "lmCache"

    /// The hash of ``key`` the table is indexed by (its first 16 hex digits as a signed integer).
    public var keyHash: Int64
    /// The SHA-256 hex of the request.
    public var key: String
    /// The reply as JSON text.
    public var response: String
    /// When the reply was stored.
    public var createdAt: Date

    /// Creates a cache record.
    /// The `keyHash` column's value for `key` (the store's index of cached replies and embeddings).
    public static func keyHash(of key: String) -> Int64 { HashedCacheKey(key).storedHash }

    public init(key: String, response: String, createdAt: Date = Date()) {
        keyHash = HashedCacheKey(key).storedHash
        self.key = key
        self.response = response
        self.createdAt = createdAt
    }
}
