import Foundation
import GRDB
import OrderedCollections
import Testing

@testable import DSPEx

@Suite(.timeLimit(.minutes(2)))
struct StoreTests {
    /// A fresh folder path for stores shared by two `Store` instances; the caller removes it.
    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dspex-store-tests-\(UUID().uuidString)").path
    }

    static func makeRun(_ store: SQLiteStore, name: String = "run-1") throws -> Int64 {
        let run = try store.createRun(
            name: name, kind: RunRecord.Kind.eval, pipeline: "pipelines/arithmetic.yaml", pipelineHash: "p",
            datasetHash: "d", config: #"{"metric":"exact_match"}"#)
        return try #require(run.id)
    }

    static func result(_ runID: Int64, _ index: Int, score: Double? = 1, error: String? = nil) -> ResultRecord {
        ResultRecord(
            runId: runID, exampleId: "ex-\(index)", exampleIndex: index, outputs: #"{"answer":\#(index)}"#,
            score: score, error: error, lmCalls: 1, cachedCalls: 0, promptTokens: 10, completionTokens: 2,
            latencyMs: 12.5)
    }

    static func reply(_ text: String) -> LMResponse {
        LMResponse(choices: [.init(text: text)], usage: TokenUsage(promptTokens: 7, completionTokens: 3), model: "sim")
    }

    @Test("migrations create the run, result, lmCache, program and compile journal tables")
    func migrations() throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let (tables, migrations) = try store.pool.read { db in
            (
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"),
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
            )
        }
        #expect(
            tables.isSuperset(of: [
                "run", "result", "lmCache", "program", "compileStep", "compileResult", "exampleStage",
            ]))
        #expect(
            migrations == [
                "v1-runs", "v1-results", "v1-lm-cache", "v1-programs", "v2-compile-journal", "v3-lm-cache-key-hash",
                "v4-usage-requests-and-run-plan", "v5-embedding-cache", "v6-example-stages",
            ])
        let journal = try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test("a store whose cache was keyed by text is migrated: every reply is found by its key, and replaced in place")
    func cacheKeyHashMigration() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/dspex.sqlite"
        let hexKey = LMRequest(model: "m", messages: [.user("hi")]).cacheKey
        let keys = [hexKey, "not-a-hash", String(repeating: "z", count: 64)]
        do {
            let old = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(old, upTo: "v2-compile-journal")
            try await old.write { db in
                for (index, key) in keys.enumerated() {
                    try db.execute(
                        sql: "INSERT INTO lmCache (key, response, createdAt) VALUES (?, ?, ?)",
                        arguments: [key, Self.reply("reply \(index)").storedJSON, Date()])
                }
            }
        }
        let store = try SQLiteStore(path: path)
        for (index, key) in keys.enumerated() {
            await #expect(try store.cachedResponse(forKey: key)?.text == "reply \(index)")
        }
        let hashes = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT key, keyHash FROM lmCache").map { ($0[0] as String, $0[1] as Int64) }
        }
        #expect(Set(hashes.map(\.0)) == Set(keys))
        #expect(hashes.allSatisfy { HashedCacheKey($0.0).storedHash == $0.1 })
        try await store.storeResponses([
            (key: hexKey, response: Self.reply("new")), (key: "other", response: Self.reply("o")),
        ])
        await #expect(try store.cachedResponse(forKey: hexKey)?.text == "new")
        #expect(try store.cachedResponseCount() == 4)
    }

    @Test("several openers of one new store file at once all get a migrated store")
    func concurrentOpen() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("dspex.sqlite").path
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<6 {
                group.addTask { try SQLiteStore(path: path).runs().count }
            }
            for try await count in group { #expect(count == 0) }
        }
    }

    @Test("a compile journal keeps steps by key and example results by step; writes replace, prefixes are literal")
    func compileJournal() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let run = try store.createRun(
            name: "c", kind: RunRecord.Kind.compile, pipeline: "p.yaml", pipelineHash: "h", datasetHash: "d",
            config: "{}")
        let id = try #require(run.id)
        try store.saveCompileStep(CompileStepRecord(runId: id, key: "trial/0001", value: "1"))
        try store.saveCompileStep(CompileStepRecord(runId: id, key: "trial/0001", value: "2"))
        try store.saveCompileStep(CompileStepRecord(runId: id, key: "trial_x", value: "3"))
        #expect(try store.compileStep(runID: id, key: "trial/0001")?.value == "2")
        #expect(try store.compileSteps(runID: id, prefix: "trial/").map(\.key) == ["trial/0001"])
        #expect(try store.compileSteps(runID: id, prefix: "trial_").map(\.key) == ["trial_x"])

        let journal = CompileJournal(store: store, runID: id)
        var usage = Usage(lmCalls: 1, tokens: TokenUsage(promptTokens: 10, completionTokens: 2))
        usage.cachedCalls = 0
        let result = StepResult(
            exampleID: "ex-1", index: 3, outputs: ["answer": 5], score: 1, error: nil,
            trace: [.init(predictor: "solve", inputs: ["question": "2+3"], outputs: ["answer": 5])], usage: usage)
        try await journal.record(result, step: "bootstrap/abc/round-0")
        let reread = try await CompileJournal(store: store, runID: id).results(step: "bootstrap/abc/round-0")
        #expect(reread["ex-1"] == result)
        #expect(try store.compileTotals(runID: id).lmCalls == 1)
        await #expect(try CompileJournal(store: store, runID: id).results(step: "other").isEmpty)
    }

    @Test("a run is created, found by name and id, updated with totals, and listed newest first")
    func runs() throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let first = try Self.makeRun(store, name: "first")
        let second = try Self.makeRun(store, name: "second")
        #expect(try store.run(named: "first")?.id == first)
        #expect(try store.run(id: second)?.name == "second")
        #expect(try store.run(named: "missing") == nil)
        #expect(try store.runs().map(\.name) == ["second", "first"])

        let totals = StoredTotals(examples: 3, scoreSum: 2, errors: 1, lmCalls: 4)
        try store.updateRun(id: first, status: RunRecord.Status.completed, totals: totals)
        let updated = try #require(try store.run(id: first))
        #expect(updated.status == "completed")
        let decoded = try JSONDecoder().decode(StoredTotals.self, from: Data(try #require(updated.totals).utf8))
        #expect(decoded == totals)
        try store.updateRun(id: first, status: RunRecord.Status.running, totals: nil)
        #expect(try store.run(id: first)?.totals == updated.totals)

        #expect(throws: StoreError.self) { try Self.makeRun(store, name: "first") }
        let error = try #require(throws: StoreError.self) {
            try store.updateRun(id: 999, status: "stopped", totals: nil)
        }
        #expect(error.code == .notFound)
    }

    @Test("a batch of results is stored, its ids are completed, and re-inserting replaces rows without duplicates")
    func resultsBatch() throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        try store.insertResults((0..<10).map { Self.result(runID, $0) })
        #expect(try store.completedExampleIDs(runID: runID) == Set((0..<10).map { "ex-\($0)" }))

        try store.insertResults([Self.result(runID, 3, score: 0, error: "boom"), Self.result(runID, 10)])
        #expect(try store.resultCount(runID: runID) == 11)
        let results = try store.results(runID: runID)
        #expect(results.map(\.exampleIndex) == Array(0...10))
        #expect(results[3].error == "boom")

        var exported: [String] = []
        try store.forEachResult(runID: runID) { exported.append($0.exampleId) }
        #expect(exported == results.map(\.exampleId))

        let totals = try store.totals(runID: runID)
        #expect(
            totals
                == StoredTotals(
                    examples: 11, scoreSum: 10, errors: 1, lmCalls: 11, cachedCalls: 0, promptTokens: 110,
                    completionTokens: 22))
    }

    @Test("worst results list failures first, then unscored, then the lowest scores in dataset order")
    func worstResults() throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        try store.insertResults([
            Self.result(runID, 0, score: 1), Self.result(runID, 1, score: 0.2),
            Self.result(runID, 2, score: 0, error: "x"),
            Self.result(runID, 3, score: 0.2), Self.result(runID, 4, score: nil), Self.result(runID, 5, score: 0.5),
        ])
        #expect(try store.worstResults(runID: runID, limit: 4).map(\.exampleIndex) == [2, 4, 1, 3])
    }

    @Test("deleting a run deletes its results")
    func cascade() throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        try store.insertResults([Self.result(runID, 0)])
        _ = try store.pool.write { db in try RunRecord.deleteOne(db, key: runID) }
        #expect(try store.resultCount(runID: runID) == 0)
    }

    @Test("programs are saved and listed by run")
    func programs() throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        try store.saveProgram(name: "best", json: #"{"predict":{}}"#, runID: runID)
        try store.saveProgram(name: "loose", json: "{}")
        #expect(try store.programs(runID: runID).map(\.name) == ["best"])
        #expect(try store.programs().count == 2)
        #expect(try store.program(named: "best")?.json == #"{"predict":{}}"#)
    }

    @Test("a cached reply written through one SQLiteStore is read by another SQLiteStore on the same file")
    func cacheAcrossInstances() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/dspex.sqlite"
        let writer = try SQLiteStore(path: path)
        try await writer.storeResponses([
            (key: "k1", response: Self.reply("one")), (key: "k2", response: Self.reply("two")),
        ])
        let reader = try SQLiteStore(path: path)
        let reply = try await #require(try reader.cachedResponse(forKey: "k2"))
        #expect(reply.text == "two")
        #expect(reply.usage.totalTokens == 10)
        #expect(reply.cached)
        await #expect(try reader.cachedResponse(forKey: "nope") == nil)
    }

    @Test("a stored reply is the sorted-key JSON of its fields, and reads back equal")
    func storedReplyJSON() throws {
        let replies = [
            LMResponse(
                choices: [.init(text: "a \"b\"\n é 😀", finishReason: "stop"), .init(text: "")],
                usage: TokenUsage(promptTokens: 12, completionTokens: 345), model: "m/x"),
            LMResponse(choices: [], usage: TokenUsage(promptTokens: 0, completionTokens: 0), model: nil),
        ]
        for reply in replies {
            var choices: [Value] = []
            for choice in reply.choices {
                var entry: OrderedDictionary<String, Value> = [:]
                if let finishReason = choice.finishReason { entry["finishReason"] = .string(finishReason) }
                entry["text"] = .string(choice.text)
                choices.append(.object(entry))
            }
            var object: OrderedDictionary<String, Value> = ["cached": false, "choices": .array(choices)]
            if let model = reply.model { object["model"] = .string(model) }
            object["usage"] = [
                "completionTokens": .int(reply.usage.completionTokens), "promptTokens": .int(reply.usage.promptTokens),
            ]
            #expect(reply.storedJSON == Value.object(object).jsonString(JSONFormat(sortKeys: true)))
            #expect(LMResponse(storedJSON: reply.storedJSON) == reply)
        }
    }

    @Test("the persistent cache answers from memory at once, then from disk in a later process")
    func persistentCache() async throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/dspex.sqlite"
        do {
            let store = try SQLiteStore(path: path)
            let cache = PersistentLMCache(store: store)
            await cache.store(Self.reply("42"), forKey: "q")
            #expect(await cache.response(forKey: "q")?.text == "42")
            #expect(cache.pendingCount == 0)
            #expect(try store.cachedResponseCount() == 1)  // committed before store(_:forKey:) returned
            try await cache.flush()
        }
        let later = PersistentLMCache(store: try SQLiteStore(path: path))
        #expect(await later.response(forKey: "q")?.text == "42")
        #expect(await later.response(forKey: "other") == nil)
    }

    @Test("a later process finds stored replies whether they fit in memory (loaded at once) or not (looked up)")
    func persistentCacheLaterLookups() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        try await store.storeResponses((0..<20).map { (key: "k\($0)", response: Self.reply("\($0)")) })
        for capacity in [100, 5] {
            let later = PersistentLMCache(store: store, configuration: .init(memoryCapacity: capacity))
            #expect(await later.response(forKey: "missing") == nil)
            for index in 0..<20 { #expect(await later.response(forKey: "k\(index)")?.text == "\(index)") }
            await later.store(Self.reply("new"), forKey: "fresh")
            #expect(await later.response(forKey: "fresh")?.text == "new")
        }
    }

    @Test("every reply is committed before its caller gets it back, under concurrent callers (group commit)")
    func persistentCacheIsDurableBeforeUse() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let cache = PersistentLMCache(store: store, configuration: .init(maxBatch: 7))
        let reader = try SQLiteStore(path: store.path)  // another connection: sees only what is committed
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<400 {
                group.addTask { () async throws -> Void in
                    await cache.store(Self.reply("\(index)"), forKey: "k\(index)")
                    let committed = try await reader.cachedResponse(forKey: "k\(index)")
                    #expect(committed?.text == "\(index)")
                }
            }
            try await group.waitForAll()
        }
        #expect(cache.pendingCount == 0)
        #expect(try store.cachedResponseCount() == 400)
        try await cache.flush()
    }

    @Test("a store in a folder that does not exist yet creates the folder")
    func missingFolder() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/a/b/.dspex/dspex.sqlite"
        let store = try SQLiteStore(path: path)
        _ = try Self.makeRun(store)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(SQLiteStore.defaultPath(in: "/work/project") == "/work/project/.dspex/dspex.sqlite")
    }

    @Test("a file that is not SQLite gives a StoreError naming the path")
    func notADatabase() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/notes.sqlite"
        try String(repeating: "this is not a database\n", count: 200).write(
            toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: StoreError.self) { try SQLiteStore(path: path) }
        #expect(error.code == .cannotOpen)
        #expect(error.path == path)
        #expect(error.description.contains(path))
        #expect(error.sqliteCode == 26)
    }

    @Test("a temporary store deletes its folder when removed")
    func temporaryRemoved() throws {
        let store = try SQLiteStore.temporary()
        let folder = URL(fileURLWithPath: store.path).deletingLastPathComponent().path
        #expect(FileManager.default.fileExists(atPath: store.path))
        try store.remove()
        #expect(!FileManager.default.fileExists(atPath: folder))
        #expect(throws: StoreError.self) { try store.runs() }
    }

    // MARK: - Batching

    @Test("the batcher state machine asks for a write when the batch is full and wakes the loop for a first result")
    func batcherStateMachine() throws {
        var machine = ResultBatcherStateMachine(maxPending: 3)
        let (wait, id) = machine.waitForWork()
        #expect(wait == .suspend)
        #expect(try machine.submit(Self.result(1, 0)).get() == .wakeLoop(try #require(id)))
        #expect(try machine.submit(Self.result(1, 1)).get() == .none)
        #expect(try machine.submit(Self.result(1, 2)).get() == .write)
        #expect(try machine.submit(Self.result(1, 3)).get() == .none)  // a write is already due
        #expect(machine.waitForWork().0 == .work)
        #expect(try machine.takeBatch().get().count == 4)
        #expect(machine.close() == nil)
        #expect(machine.waitForWork().0 == .stop)
        #expect(throws: StoreError.self) { try machine.submit(Self.result(1, 4)).get() }
    }

    @Test("a failed write fails the batcher state machine for good")
    func batcherStateMachineFailure() {
        var machine = ResultBatcherStateMachine(maxPending: 3)
        machine.writeFailed(StoreError(code: .write, message: "disk full", path: "/x"))
        #expect(throws: StoreError.self) { try machine.submit(Self.result(1, 0)).get() }
        #expect(throws: StoreError.self) { try machine.takeBatch().get() }
    }

    @Test("the batcher's loop writes a lone result after its delay, and close stops the loop")
    func batcherLoop() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        let batcher = ResultBatcher(store: store, configuration: .init(maxPending: 256, maxDelay: .milliseconds(5)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.run() }
            try await batcher.submit(Self.result(runID, 0))
            var written = 0
            for _ in 0..<1000 where written == 0 {
                try await Task.sleep(for: .milliseconds(5))
                written = try store.resultCount(runID: runID)
            }
            #expect(written == 1)
            try await batcher.submit(Self.result(runID, 1))
            try await batcher.close()
            try await group.waitForAll()
        }
        #expect(try store.resultCount(runID: runID) == 2)
        await #expect(throws: StoreError.self) { try await batcher.submit(Self.result(runID, 2)) }
    }

    @Test("cancelling the batcher's loop writes what is pending")
    func batcherCancelled() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        let batcher = ResultBatcher(store: store, configuration: .init(maxPending: 256, maxDelay: .seconds(600)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.run() }
            for index in 0..<10 { try await batcher.submit(Self.result(runID, index)) }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(try store.resultCount(runID: runID) == 10)
    }

    @Test("four concurrent producers write every result through the batcher, none twice")
    func batcherConcurrentProducers() async throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        let batcher = ResultBatcher(store: store)
        let perProducer = 25_000
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await batcher.run() }
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for producer in 0..<4 {
                    producers.addTask {
                        for index in 0..<perProducer {
                            try await batcher.submit(Self.result(runID, producer * perProducer + index))
                        }
                    }
                }
                try await producers.waitForAll()
            }
            try await batcher.close()
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let count = try store.resultCount(runID: runID)
        #expect(count == 4 * perProducer)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "[measure] batcher, 4 producers: \(count) results in \(seconds) s = \(Int(Double(count) / seconds)) results/s"
        )
    }

    @Test("100,000 results are inserted in batches and their ids load back")
    func hundredThousand() throws {
        let store = try SQLiteStore.temporary()
        defer { try? store.remove() }
        let runID = try Self.makeRun(store)
        let clock = ContinuousClock()
        let insert = try clock.measure {
            for start in stride(from: 0, to: 100_000, by: 256) {
                try store.insertResults((start..<min(start + 256, 100_000)).map { Self.result(runID, $0) })
            }
        }
        var ids: Set<String> = []
        let load = try clock.measure { ids = try store.completedExampleIDs(runID: runID) }
        #expect(ids.count == 100_000)
        let worst = try clock.measure { _ = try store.worstResults(runID: runID, limit: 5) }
        let seconds = Double(insert.components.attoseconds) / 1e18 + Double(insert.components.seconds)
        print(
            "[measure] 100,000 results in batches of 256: \(insert) = \(Int(100_000 / seconds)) results/s; "
                + "completedExampleIDs: \(load); worstResults(5): \(worst)")
    }
}
