import GRDB

extension Store {
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

        return migrator
    }
}
