import Foundation
import GRDB
import OrderedCollections

extension Store {
    /// The reply stored under `key` (a request's ``LMRequest/cacheKey``), or `nil`.
    ///
    /// The returned reply has ``LMResponse/cached`` set.
    /// - Throws: ``StoreError`` with ``StoreError/Code/invalidData`` if the stored JSON is not a reply.
    public func cachedResponse(forKey key: String) throws -> LMResponse? {
        let text = try read("read a cached reply") { db in
            try String.fetchOne(
                db, sql: "SELECT response FROM lmCache WHERE keyHash = ? AND key = ?",
                arguments: [HashedCacheKey(key).storedHash, key])
        }
        return try text.map { try decodeResponse($0, key: key) }
    }

    /// Like ``cachedResponse(forKey:)`` with a prepared statement kept by the reader connection, for the
    /// cache's lookups on every call.
    ///
    /// The read is synchronous: a point lookup takes microseconds, less than hopping to a reader's queue
    /// and back would.
    func cachedResponseForLookup(forKey key: String) throws -> LMResponse? {
        let text: String?
        do {
            // One statement is atomic on its own: no transaction around it.
            text = try pool.unsafeRead { db in
                try String.fetchOne(
                    db.cachedStatement(sql: "SELECT response FROM lmCache WHERE keyHash = ? AND key = ?"),
                    arguments: [HashedCacheKey(key).storedHash, key])
            }
        } catch {
            throw StoreError.wrapping(error, code: .read, operation: "read a cached reply", path: path)
        }
        return try text.map { try decodeResponse($0, key: key) }
    }

    /// Calls `body` with every key of the cache table, one row in memory at a time.
    func forEachCachedKey(_ body: (String) -> Void) throws {
        try read("read the cache's keys") { db in
            let cursor = try String.fetchCursor(db, sql: "SELECT key FROM lmCache")
            while let key = try cursor.next() { body(key) }
        }
    }

    /// Calls `body` with every stored reply (``LMResponse/cached`` set), one row in memory at a time; rows that
    /// are not valid replies are skipped.
    func forEachCachedResponse(_ body: (String, LMResponse) -> Void) throws {
        try read("read the cached replies") { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT key, response FROM lmCache")
            while let row = try rows.next() {
                let key: String = row[0]
                if let response = try? decodeResponse(row[1], key: key) { body(key, response) }
            }
        }
    }

    private func decodeResponse(_ text: String, key: String) throws -> LMResponse {
        if var response = LMResponse(storedJSON: text) {
            response.cached = true
            return response
        }
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
        return entries.map { entry in
            LMCacheRecord(key: entry.key, response: entry.response.storedJSON, createdAt: now)
        }
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

extension LMResponse {
    /// The reply as the cache stores it: the JSON `JSONEncoder` writes with sorted keys (the `cached` flag
    /// false), written directly.
    var storedJSON: String {
        var output: [UInt8] = []
        output.reserveCapacity(96 + choices.reduce(0) { $0 + $1.text.utf8.count + 40 } + (model?.utf8.count ?? 0))
        output.append(contentsOf: #"{"cached":false,"choices":["#.utf8)
        for (index, choice) in choices.enumerated() {
            output.append(contentsOf: index == 0 ? "{".utf8 : ",{".utf8)
            if let finishReason = choice.finishReason {
                output.append(contentsOf: #""finishReason":"#.utf8)
                Value.writeString(finishReason, to: &output, escapeNonASCII: false)
                output.append(UInt8(ascii: ","))
            }
            output.append(contentsOf: #""text":"#.utf8)
            Value.writeString(choice.text, to: &output, escapeNonASCII: false)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
        if let model {
            output.append(contentsOf: #","model":"#.utf8)
            Value.writeString(model, to: &output, escapeNonASCII: false)
        }
        output.append(contentsOf: #","usage":{"completionTokens":"#.utf8)
        output.append(contentsOf: String(usage.completionTokens).utf8)
        output.append(contentsOf: #","promptTokens":"#.utf8)
        output.append(contentsOf: String(usage.promptTokens).utf8)
        output.append(contentsOf: "}}".utf8)
        return String(decoding: output, as: UTF8.self)
    }

    /// A reply read back from ``storedJSON`` (or any JSON of the same shape); `nil` if it has another shape.
    init?(storedJSON text: String) {
        guard let value = try? Value(json: text), case .array(let choiceValues)? = value["choices"],
            let usage = value["usage"], let prompt = usage["promptTokens"]?.intValue,
            let completion = usage["completionTokens"]?.intValue
        else { return nil }
        var choices: [Choice] = []
        for choiceValue in choiceValues {
            guard let text = choiceValue["text"]?.stringValue else { return nil }
            choices.append(Choice(text: text, finishReason: choiceValue["finishReason"]?.stringValue))
        }
        self.init(
            choices: choices, usage: TokenUsage(promptTokens: prompt, completionTokens: completion),
            model: value["model"]?.stringValue, cached: value["cached"]?.boolValue ?? false)
    }
}
