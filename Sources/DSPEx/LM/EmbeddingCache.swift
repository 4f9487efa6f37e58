import Crypto
import Foundation
import OrderedCollections
import Synchronization

/// Keeps embeddings by model and text, so a text is embedded once — in this process, and across runs when a
/// ``Store`` is given.
///
/// The embedding counterpart of ``PersistentLMCache``: a memory layer (the oldest entries dropped first past its
/// capacity) in front of the store's `embeddingCache` table. ``store(_:)`` returns once the vectors are committed,
/// so a vector an embedder hands to its caller survives a killed process and a rerun pays for no embedding twice.
/// Store failures never fail an embedding: a failed read is a miss, a failed write is reported by ``flush()``.
///
/// Keys are ``key(model:text:dimensions:)``: SHA-256 of the model, the text and the requested dimensions — never
/// the API key or the base URL (DSPy leaves those out of its cache key too).
///
/// ```swift
/// let cache = EmbeddingCache(store: try SQLiteStore(path: ".dspex/dspex.sqlite"))
/// let embedder = OpenAICompatibleEmbedder(.init(model: "text-embedding-3-small", cache: cache))
/// ```
public final class EmbeddingCache: Sendable {
    private struct State {
        var memory: [String: [Float]] = [:]
        /// The memory layer's keys, oldest first, from `head` on (the slots before it are evicted).
        var order: [String] = []
        var head = 0
        var failure: StoreError?
    }

    /// The store behind the memory layer, if any.
    public let store: (any Store)?
    private let memoryCapacity: Int
    private let state = Mutex(State())

    /// Creates a cache; without a store it lives in memory only.
    ///
    /// - Parameters:
    ///   - store: Where embeddings persist; `nil` keeps them in memory only.
    ///   - memoryCapacity: Embeddings kept in memory (a 1,536-dimension vector takes 6 KiB).
    public init(store: (any Store)? = nil, memoryCapacity: Int = 10_000) {
        self.store = store
        self.memoryCapacity = max(1, memoryCapacity)
    }

    /// The cache key of `text` embedded by `model`: lowercase hex SHA-256 of `{"dimensions"?, "input", "model"}`
    /// as sorted-key JSON.
    public static func key(model: String, text: String, dimensions: Int? = nil) -> String {
        var identity: OrderedDictionary<String, Value> = ["model": .string(model), "input": .string(text)]
        if let dimensions { identity["dimensions"] = .int(dimensions) }
        return SHA256.hexDigest(of: Value.object(identity).jsonBytes(JSONFormat(sortKeys: true)))
    }

    /// The cached vectors among `keys`, by key: from memory, else from the store (and then kept in memory).
    public func embeddings(forKeys keys: [String]) async -> [String: [Float]] {
        var found: [String: [Float]] = [:]
        var missing: [String] = []
        state.withLock { state in
            for key in keys {
                if let vector = state.memory[key] { found[key] = vector } else { missing.append(key) }
            }
        }
        guard let store, !missing.isEmpty, let stored = try? await store.cachedEmbeddingData(forKeys: missing) else {
            return found
        }
        var loaded: [(String, [Float])] = []
        for (key, data) in stored {
            guard let vector = Self.vector(from: data) else { continue }  // a damaged row is a miss
            found[key] = vector
            loaded.append((key, vector))
        }
        state.withLock { state in
            for (key, vector) in loaded { Self.remember(vector, forKey: key, in: &state, capacity: memoryCapacity) }
        }
        return found
    }

    /// Keeps the vectors in memory and returns once they are committed to the store (in one transaction).
    public func store(_ embeddings: [(key: String, embedding: [Float])]) async {
        guard !embeddings.isEmpty else { return }
        state.withLock { state in
            for entry in embeddings {
                Self.remember(entry.embedding, forKey: entry.key, in: &state, capacity: memoryCapacity)
            }
        }
        guard let store else { return }
        let now = Date()
        let rows = embeddings.map {
            EmbeddingCacheRecord(key: $0.key, embedding: Self.data(of: $0.embedding), createdAt: now)
        }
        do {
            try await store.storeCachedEmbeddings(rows)
        } catch {
            let failure = StoreError.wrapping(
                error, code: .write, operation: "store cached embeddings", path: store.location)
            state.withLock { $0.failure = $0.failure ?? failure }
        }
    }

    /// Reports a write that failed since the last flush (every vector ``store(_:)`` returned for is committed).
    ///
    /// - Throws: The ``StoreError`` of a failed write.
    public func flush() throws {
        if let failure = state.withLock({ state in
            defer { state.failure = nil }
            return state.failure
        }) {
            throw failure
        }
    }

    /// How many embeddings the memory layer holds.
    public var count: Int { state.withLock { $0.memory.count } }

    private static func remember(_ vector: [Float], forKey key: String, in state: inout State, capacity: Int) {
        guard state.memory.updateValue(vector, forKey: key) == nil else { return }
        state.order.append(key)
        while state.order.count - state.head > capacity {
            state.memory.removeValue(forKey: state.order[state.head])
            state.head += 1
        }
        if state.head > capacity {  // compact now and then: amortised O(1) per insert
            state.order.removeFirst(state.head)
            state.head = 0
        }
    }

    /// A vector's components as little-endian IEEE 754 single-precision bytes.
    static func data(of vector: [Float]) -> Data {
        var data = Data(capacity: vector.count * 4)
        for component in vector {
            withUnsafeBytes(of: component.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data
    }

    /// The vector stored as ``data(of:)`` wrote it; `nil` for a length that is not a multiple of 4.
    static func vector(from data: Data) -> [Float]? {
        guard data.count % 4 == 0 else { return nil }
        var vector: [Float] = []
        vector.reserveCapacity(data.count / 4)
        var index = data.startIndex
        while index < data.endIndex {
            var bits: UInt32 = 0
            for offset in 0..<4 { bits |= UInt32(data[index + offset]) << (8 * UInt32(offset)) }
            vector.append(Float(bitPattern: bits))
            index += 4
        }
        return vector
    }
}
