import GRDB

extension SQLiteStore {
    /// The schema, as named migrations applied in order.
    ///
    /// A migration is never edited once merged: a change to the schema is a new migration appended
    /// here ("v2-…"), so every existing store file is brought forward by the same steps.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-runs") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("kind", .text).notNull()
                t.column("pipeline", .text).notNull()
                t.column("pipelineHash", .text).notNull()
                t.column("datasetHash", .text).notNull()
                t.column("config", .text).notNull()
                t.column("status", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
                t.column("totals", .text)
            }
        }

        migrator.registerMigration("v1-results") { db in
            try db.create(table: "result") { t in
                t.primaryKey {
                    t.column("runId", .integer).references("run", onDelete: .cascade)
                    t.column("exampleId", .text)
                }
                t.column("exampleIndex", .integer).notNull()
                t.column("outputs", .text).notNull()
                t.column("score", .double)
                t.column("error", .text)
                t.column("lmCalls", .integer).notNull().defaults(to: 0)
                t.column("cachedCalls", .integer).notNull().defaults(to: 0)
                t.column("promptTokens", .integer).notNull().defaults(to: 0)
                t.column("completionTokens", .integer).notNull().defaults(to: 0)
                t.column("latencyMs", .double).notNull().defaults(to: 0)
            }
            try db.create(index: "result_on_runId_exampleIndex", on: "result", columns: ["runId", "exampleIndex"])
        }

        migrator.registerMigration("v1-lm-cache") { db in
            try db.create(table: "lmCache") { t in
                t.primaryKey("key", .text)
                t.column("response", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }

        migrator.registerMigration("v1-programs") { db in
            try db.create(table: "program") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runId", .integer).references("run", onDelete: .setNull).indexed()
                t.column("name", .text).notNull().indexed()
                t.column("json", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }

        migrator.registerMigration("v2-compile-journal") { db in
            try db.create(table: "compileStep") { t in
                t.primaryKey {
                    t.column("runId", .integer).references("run", onDelete: .cascade)
                    t.column("key", .text)
                }
                t.column("value", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "compileResult") { t in
                t.primaryKey {
                    t.column("runId", .integer).references("run", onDelete: .cascade)
                    t.column("step", .text)
                    t.column("exampleId", .text)
                }
                t.column("exampleIndex", .integer).notNull()
                t.column("outputs", .text).notNull()
                t.column("score", .double).notNull()
                t.column("error", .text)
                t.column("trace", .text)
                t.column("lmCalls", .integer).notNull().defaults(to: 0)
                t.column("cachedCalls", .integer).notNull().defaults(to: 0)
                t.column("promptTokens", .integer).notNull().defaults(to: 0)
                t.column("completionTokens", .integer).notNull().defaults(to: 0)
            }
        }

        migrator.registerMigration("v3-lm-cache-key-hash") { db in
            // The text primary key's index held 64-byte keys in random order: every batch of new replies rewrote
            // most of its pages (10 µs per reply at 100,000 replies). An index of 8-byte hashes is a sixth as big.
            db.add(function: Self.cacheKeyHashFunction)
            try db.create(table: "lmCacheByHash") { t in
                t.column("keyHash", .integer).notNull()
                t.column("key", .text).notNull()
                t.column("response", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.execute(
                sql: """
                    INSERT INTO lmCacheByHash (keyHash, key, response, createdAt)
                    SELECT dspex_cache_key_hash(key), key, response, createdAt FROM lmCache
                    """)
            try db.drop(table: "lmCache")
            try db.rename(table: "lmCacheByHash", to: "lmCache")
            try db.create(index: "lmCache_on_keyHash", on: "lmCache", columns: ["keyHash"])
        }

        migrator.registerMigration("v4-usage-requests-and-run-plan") { db in
            // Failed calls and HTTP requests per example (retries and fan-out included), so that a run's totals equal
            // what its server counted; rows written before were counted one request per answered call.
            for table in ["result", "compileResult"] {
                try db.alter(table: table) { t in
                    t.add(column: "failedCalls", .integer).notNull().defaults(to: 0)
                    t.add(column: "requests", .integer).notNull().defaults(to: 0)
                }
                try db.execute(sql: "UPDATE \(table) SET requests = lmCalls")
            }
            // A run is a stored plan, and the process working on it is in its row (for cancel and the console).
            try db.alter(table: "run") { t in
                t.add(column: "plan", .text)
                t.add(column: "workerPid", .integer)
                t.add(column: "workerHost", .text)
            }
        }

        migrator.registerMigration("v5-embedding-cache") { db in
            // Embeddings by SHA-256 of model and text, indexed by an 8-byte hash of the key as lmCache is.
            try db.create(table: "embeddingCache") { t in
                t.column("keyHash", .integer).notNull()
                t.column("key", .text).notNull()
                t.column("embedding", .blob).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(index: "embeddingCache_on_keyHash", on: "embeddingCache", columns: ["keyHash"])
        }

        migrator.registerMigration("v6-example-stages") { db in
            // What each stage did for each example of an evaluation (inputs, outputs, LM calls with their exact
            // messages and raw replies): what the console and `dspex inspect` show. Written with the results.
            try db.create(table: "exampleStage") { t in
                t.primaryKey {
                    t.column("runId", .integer).references("run", onDelete: .cascade)
                    t.column("exampleId", .text)
                    t.column("position", .integer)
                }
                t.column("stage", .text).notNull()
                t.column("inputs", .text).notNull()
                t.column("outputs", .text).notNull()
                t.column("calls", .text).notNull()
                t.column("callCount", .integer).notNull()
                t.column("fallback", .text)
                t.column("error", .text)
                t.column("rawReply", .text)
            }
            // The kind of a failure (`adapter:missing_fields`, `lm:timeout`, `metric`), for filtering by it.
            try db.alter(table: "result") { t in t.add(column: "errorKind", .text) }
            // The console pages a run's examples by score and its failures by kind, from indexes; the failures'
            // index is partial, so a successful example's insert does not touch it.
            try db.create(index: "result_on_runId_score", on: "result", columns: ["runId", "score", "exampleIndex"])
            try db.execute(
                sql: """
                    CREATE INDEX result_failures_on_runId_errorKind ON result (runId, errorKind, exampleIndex)
                    WHERE error IS NOT NULL
                    """)
        }

        return migrator
    }

    /// `dspex_cache_key_hash(key)`: ``LMCacheRecord/keyHash`` in SQL, for the migration that added the column.
    private static let cacheKeyHashFunction = DatabaseFunction(
        "dspex_cache_key_hash", argumentCount: 1, pure: true
    ) { values in
        String.fromDatabaseValue(values[0]).map { HashedCacheKey($0).storedHash }
    }
}
