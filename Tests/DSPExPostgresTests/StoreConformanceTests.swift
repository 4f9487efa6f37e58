import DSPEx
import Foundation
import Testing

extension PostgresServerTests {
    /// The ``Store`` protocol's behaviour, the same on every backend: SQLite, and PostgreSQL when a test server is
    /// given (`DSPEX_TEST_POSTGRES_URL`; see ``StoreBackend``).
    @Suite(.timeLimit(.minutes(3)))
    struct StoreConformanceTests {
        static func makeRun(_ store: any Store, name: String = "run-1") async throws -> Int64 {
            let run = try await store.createRun(
                name: name, kind: RunRecord.Kind.eval, pipeline: "pipelines/arithmetic.yaml", pipelineHash: "p",
                datasetHash: "d", config: #"{"metric":"exact_match"}"#, plan: #"{"plan":1}"#)
            return try #require(run.id)
        }

        static func result(
            _ runID: Int64, _ index: Int, score: Double? = 1, error: String? = nil, kind: String? = nil
        ) -> ResultRecord {
            ResultRecord(
                runId: runID, exampleId: "ex-\(index)", exampleIndex: index, outputs: #"{"answer":\#(index)}"#,
                score: score, error: error, lmCalls: 1, cachedCalls: 0, promptTokens: 10, completionTokens: 2,
                latencyMs: 12.5, errorKind: kind)
        }

        static func stage(_ runID: Int64, _ example: String, _ position: Int) -> ExampleStageRecord {
            ExampleStageRecord(
                runId: runID, exampleId: example, position: position, stage: "s\(position)", inputs: "{}",
                outputs: #"{"a":1}"#, calls: "[]", callCount: 1, fallback: nil, error: nil, rawReply: "raw")
        }

        @Test(
            "runs are created, found by name and id, listed newest first, and updated; a taken name is refused",
            arguments: StoreBackend.allCases)
        func runs(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let first = try await Self.makeRun(store, name: "a")
                try await Task.sleep(for: .milliseconds(5))
                let second = try await Self.makeRun(store, name: "b")
                #expect(try await store.run(named: "a")?.id == first)
                #expect(try await store.run(id: second)?.name == "b")
                #expect(try await store.run(named: "missing") == nil)
                #expect(try await store.runs().map(\.name) == ["b", "a"])
                let record = try #require(try await store.run(named: "a"))
                #expect(record.status == RunRecord.Status.running)
                #expect(record.plan == #"{"plan":1}"#)
                #expect(record.config == #"{"metric":"exact_match"}"#)
                #expect(abs(record.createdAt.timeIntervalSinceNow) < 60)

                await #expect(throws: StoreError.self) { try await Self.makeRun(store, name: "a") }

                try await store.setPlan(runID: first, plan: "{}")
                try await store.setWorker(runID: first, pid: 4242, host: "box")
                try await store.updateRun(
                    id: first, status: RunRecord.Status.completed,
                    totals: StoredTotals(examples: 3, scoreSum: 2, errors: 1, lmCalls: 3))
                var updated = try #require(try await store.run(id: first))
                #expect(updated.plan == "{}")
                #expect(updated.workerPid == 4242 && updated.workerHost == "box")
                #expect(updated.status == RunRecord.Status.completed)
                let totals = try JSONDecoder().decode(StoredTotals.self, from: Data((updated.totals ?? "").utf8))
                #expect(totals.examples == 3 && totals.scoreSum == 2)
                // Without totals the stored ones are kept.
                try await store.updateRun(id: first, status: RunRecord.Status.stopped, totals: nil)
                try await store.setWorker(runID: first, pid: nil, host: nil)
                updated = try #require(try await store.run(id: first))
                #expect(updated.totals != nil && updated.workerPid == nil && updated.status == RunRecord.Status.stopped)
                let missing = await #expect(throws: StoreError.self) {
                    try await store.updateRun(id: 999_999, status: "x", totals: nil)
                }
                #expect(missing?.code == .notFound)
            }
        }

        @Test(
            "results upsert by example, come back in dataset order, page through forEachResult, and sum to totals",
            arguments: StoreBackend.allCases)
        func results(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let runID = try await Self.makeRun(store)
                let other = try await Self.makeRun(store, name: "other")
                // More than a page of the PostgreSQL store's reads (2,000), written out of order.
                let records = (0..<4_500).reversed().map { index in
                    Self.result(runID, index, score: index % 3 == 0 ? 0 : 1, error: index % 10 == 0 ? "bad" : nil)
                }
                try await store.insertResults(records)
                try await store.insertResults([Self.result(other, 1)])
                // A result written again replaces the first, even twice in one batch.
                try await store.insertResults([Self.result(runID, 5, score: 0.25), Self.result(runID, 5, score: 0.5)])
                #expect(try await store.resultCount(runID: runID) == 4_500)
                #expect(try await store.completedExampleIDs(runID: runID).count == 4_500)
                #expect(try await store.result(runID: runID, exampleID: "ex-5")?.score == 0.5)
                #expect(try await store.result(runID: runID, exampleID: "ex-missing") == nil)
                let all = try await store.results(runID: runID)
                #expect(all.map(\.exampleIndex) == Array(0..<4_500))
                #expect(all[7] == Self.result(runID, 7))
                var seen: [Int] = []
                try await store.forEachResult(runID: runID) { seen.append($0.exampleIndex) }
                #expect(seen == Array(0..<4_500))

                let totals = try await store.totals(runID: runID)
                let expectedScore = all.reduce(0) { $0 + ($1.score ?? 0) }
                #expect(totals.examples == 4_500)
                #expect(abs(totals.scoreSum - expectedScore) < 1e-9)
                #expect(totals.errors == 450)
                #expect(totals.lmCalls == 4_500 && totals.promptTokens == 45_000 && totals.completionTokens == 9_000)
                #expect(try await store.totals(runID: 999_999).examples == 0)

                let byID = try await store.results(runID: runID, exampleIDs: ["ex-1", "ex-2", "nope"])
                #expect(Set(byID.keys) == ["ex-1", "ex-2"])
            }
        }

        @Test(
            "the worst results, pages by outcome, kind, search and score, error kinds and compared runs agree",
            arguments: StoreBackend.allCases)
        func pages(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let runID = try await Self.makeRun(store)
                let other = try await Self.makeRun(store, name: "other")
                try await store.insertResults([
                    Self.result(runID, 0, score: 1),
                    Self.result(runID, 1, score: nil),
                    Self.result(runID, 2, score: 0, error: "timed out", kind: "lm:timeout"),
                    Self.result(runID, 3, score: 0.5),
                    Self.result(runID, 4, score: 0, error: "missing 100%_done", kind: "adapter:missing_fields"),
                    Self.result(runID, 5, score: 0, error: "timed out", kind: "lm:timeout"),
                    Self.result(runID, 6, score: 0, error: "odd"),
                ])
                try await store.insertResults([
                    Self.result(other, 0, score: 0), Self.result(other, 1, score: 1), Self.result(other, 3, score: 0.5),
                ])
                #expect(try await store.worstResults(runID: runID, limit: 4).map(\.exampleIndex) == [2, 4, 5, 6])
                #expect(try await store.worstResults(runID: runID, limit: 5).last?.exampleIndex == 1)

                func page(_ query: ResultPageQuery) async throws -> ([Int], Int) {
                    let page = try await store.resultPage(runID: runID, query: query)
                    return (page.results.map(\.exampleIndex), page.total)
                }
                #expect(try await page(ResultPageQuery()) == (Array(0...6), 7))
                #expect(try await page(ResultPageQuery(outcome: .errors)) == ([2, 4, 5, 6], 4))
                #expect(try await page(ResultPageQuery(outcome: .wrong)) == ([1, 2, 3, 4, 5, 6], 6))
                #expect(try await page(ResultPageQuery(outcome: .passed)) == ([0], 1))
                #expect(try await page(ResultPageQuery(errorKind: "lm:timeout")) == ([2, 5], 2))
                #expect(try await page(ResultPageQuery(search: "TIMED")) == ([2, 5], 2))
                // % and _ are searched for literally.
                #expect(try await page(ResultPageQuery(search: "0%_d")) == ([4], 1))
                #expect(try await page(ResultPageQuery(search: "%")) == ([4], 1))
                #expect(try await page(ResultPageQuery(order: .scoreAscending)) == ([1, 2, 4, 5, 6, 3, 0], 7))
                #expect(try await page(ResultPageQuery(order: .scoreDescending)) == ([0, 3, 2, 4, 5, 6, 1], 7))
                #expect(try await page(ResultPageQuery(order: .scoreDescending, offset: 1, limit: 2)) == ([3, 2], 7))

                let kinds = try await store.errorKindCounts(runID: runID)
                // A failure stored without a kind counts as "error"; ties in the kind's byte order.
                #expect(kinds.map(\.kind) == ["lm:timeout", "adapter:missing_fields", "error"])
                #expect(kinds.map(\.count) == [2, 1, 1])

                let compared = try await store.comparedResults(
                    runID: runID, with: other, flippedOnly: false, offset: 0, limit: 10)
                #expect(compared.total == 3)
                #expect(compared.pairs.map { [$0.0.exampleIndex, $0.1.exampleIndex] } == [[0, 0], [1, 1], [3, 3]])
                #expect(compared.pairs.first?.1.runId == other)
                let flipped = try await store.comparedResults(
                    runID: runID, with: other, flippedOnly: true, offset: 0, limit: 10)
                #expect(flipped.total == 1 && flipped.pairs.map(\.0.exampleIndex) == [0])
            }
        }

        @Test(
            "a result batch writes results and stages together; stages come back in order, the last ones by example",
            arguments: StoreBackend.allCases)
        func stages(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let runID = try await Self.makeRun(store)
                try await store.writeResultBatch {
                    (
                        (0..<4).map { Self.result(runID, $0) },
                        [Self.stage(runID, "ex-1", 1), Self.stage(runID, "ex-1", 0), Self.stage(runID, "ex-3", 0)]
                    )
                }
                try await store.writeResultBatch { ([], []) }
                try await store.insertStages([Self.stage(runID, "ex-2", 0)])
                #expect(try await store.resultCount(runID: runID) == 4)
                #expect(try await store.stageCount(runID: runID) == 4)
                #expect(try await store.stages(runID: runID, exampleID: "ex-1").map(\.stage) == ["s0", "s1"])
                #expect(try await store.stages(runID: runID, exampleID: "ex-0").isEmpty)
                let last = try await store.lastStages(runID: runID, examples: 2)
                #expect(last.map { "\($0.exampleId)/\($0.position)" } == ["ex-2/0", "ex-3/0"])
                #expect(last.first == Self.stage(runID, "ex-2", 0))
            }
        }

        @Test(
            "the compile journal keeps steps by key (prefixes taken literally) and results by step, with totals",
            arguments: StoreBackend.allCases)
        func compileJournal(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let runID = try await Self.makeRun(store)
                for key in ["round/2", "round/10", "round_x", "roundZ", "other"] {
                    try await store.saveCompileStep(
                        CompileStepRecord(runId: runID, key: key, value: "v-\(key)", createdAt: Date()))
                }
                try await store.saveCompileStep(
                    CompileStepRecord(runId: runID, key: "other", value: "new", createdAt: Date()))
                #expect(try await store.compileStep(runID: runID, key: "other")?.value == "new")
                #expect(try await store.compileStep(runID: runID, key: "none") == nil)
                #expect(
                    try await store.compileSteps(runID: runID, prefix: "round/").map(\.key) == ["round/10", "round/2"])
                #expect(try await store.compileSteps(runID: runID, prefix: "round_").map(\.key) == ["round_x"])
                #expect(try await store.compileSteps(runID: runID, prefix: "").count == 5)

                for index in [2, 0, 1] {
                    try await store.saveCompileResult(
                        CompileResultRecord(
                            runId: runID, step: "eval/0", exampleId: "ex-\(index)", exampleIndex: index, outputs: "{}",
                            score: Double(index) / 2, error: index == 1 ? "bad" : nil, trace: "[]", lmCalls: 2,
                            cachedCalls: 0,
                            promptTokens: 5, completionTokens: 1))
                }
                try await store.saveCompileResult(
                    CompileResultRecord(
                        runId: runID, step: "eval/0", exampleId: "ex-2", exampleIndex: 2, outputs: #"{"again":1}"#,
                        score: 1, error: nil, trace: nil, lmCalls: 2, cachedCalls: 0, promptTokens: 5,
                        completionTokens: 1))
                let results = try await store.compileResults(runID: runID, step: "eval/0")
                #expect(results.map(\.exampleIndex) == [0, 1, 2])
                #expect(results.last?.outputs == #"{"again":1}"# && results.last?.trace == nil)
                #expect(try await store.compileResults(runID: runID, step: "eval/1").isEmpty)
                let totals = try await store.compileTotals(runID: runID)
                #expect(totals.examples == 3 && totals.errors == 1 && totals.lmCalls == 6 && totals.promptTokens == 15)
            }
        }

        @Test(
            "programs are versioned by name; the newest is found, and a run's are listed",
            arguments: StoreBackend.allCases)
        func programs(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let runID = try await Self.makeRun(store)
                let first = try await store.saveProgram(name: "qa", json: #"{"v":1}"#, runID: runID)
                _ = try await store.saveProgram(name: "qa", json: #"{"v":2}"#, runID: nil)
                #expect(first.id != nil && first.runId == runID)
                #expect(try await store.program(named: "qa")?.json == #"{"v":2}"#)
                #expect(try await store.program(named: "none") == nil)
                #expect(try await store.programs(runID: nil).map(\.json) == [#"{"v":1}"#, #"{"v":2}"#])
                #expect(try await store.programs(runID: runID).map(\.json) == [#"{"v":1}"#])
            }
        }

        @Test(
            "the LM and embedding caches store, overwrite, count and list every entry", arguments: StoreBackend.allCases
        )
        func caches(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let keys = (0..<4_100).map { String(format: "%064x", $0 &* 2_654_435_761) }
                try await store.storeCachedReplies(keys.map { LMCacheRecord(key: $0, response: "r-\($0)") })
                try await store.storeCachedReplies([
                    LMCacheRecord(key: keys[0], response: "first"), LMCacheRecord(key: keys[0], response: "second"),
                    LMCacheRecord(key: "not hex", response: "plain"),
                ])
                #expect(try await store.cachedReplyText(forKey: keys[0]) == "second")
                #expect(try await store.cachedReplyText(forKey: keys[9]) == "r-\(keys[9])")
                #expect(try await store.cachedReplyText(forKey: "not hex") == "plain")
                #expect(try await store.cachedReplyText(forKey: "missing") == nil)
                #expect(try await store.cachedResponseCount() == 4_101)
                var listed: [String] = []
                try await store.forEachCachedKey { listed.append($0) }
                #expect(Set(listed) == Set(keys + ["not hex"]) && listed.count == 4_101)
                var replies: [String: String] = [:]
                try await store.forEachCachedReply { key, reply in replies[key] = reply }
                #expect(replies.count == 4_101 && replies[keys[0]] == "second")

                let vector = Data((0..<512).map { UInt8($0 % 256) })
                try await store.storeCachedEmbeddings([
                    EmbeddingCacheRecord(key: "e1", embedding: vector),
                    EmbeddingCacheRecord(key: "e2", embedding: Data([1])),
                ])
                try await store.storeCachedEmbeddings([EmbeddingCacheRecord(key: "e2", embedding: Data([2, 0, 255]))])
                let found = try await store.cachedEmbeddingData(forKeys: ["e1", "e2", "e3", "e1"])
                #expect(found == ["e1": vector, "e2": Data([2, 0, 255])])
                #expect(try await store.cachedEmbeddingData(forKeys: []).isEmpty)
                #expect(try await store.cachedEmbeddingCount() == 2)
            }
        }

        @Test(
            "cached replies round-trip as LM responses through the store's extension", arguments: StoreBackend.allCases)
        func storedResponses(backend: StoreBackend) async throws {
            try await backend.withStore { store in
                let response = LMResponse(
                    choices: [.init(text: "answer: 42")], usage: TokenUsage(promptTokens: 7, completionTokens: 3),
                    model: "sim")
                try await store.storeResponses([(key: "k1", response: response)])
                let read = try #require(try await store.cachedResponse(forKey: "k1"))
                #expect(read.cached && read.choices == response.choices && read.usage == response.usage)
                #expect(try await store.cachedResponse(forKey: "k2") == nil)
            }
        }
    }
}
