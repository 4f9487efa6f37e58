import Foundation

/// Where runs are checkpointed: runs, per-example results and stage timings, compile journals, saved programs and
/// the LM and embedding caches.
///
/// Two backends keep the same tables with the same guarantees: ``SQLiteStore`` (one file, the default) and the
/// PostgreSQL store of the `DSPExPostgres` module (one database shared by many processes and machines). A result a
/// method has returned for is committed; a killed process loses nothing committed. No API key or other secret is
/// ever written to a store.
///
/// Every method throws ``StoreError``, naming the operation, the run and the store's ``location``. A backend whose
/// work is synchronous (SQLite) satisfies these `async` requirements with its synchronous methods.
///
/// ```swift
/// let store: any Store = try SQLiteStore(path: ".dspex/dspex.sqlite")
/// let run = try await store.createRun(
///     name: "arith-1", kind: RunRecord.Kind.eval, pipeline: "pipelines/arithmetic.yaml",
///     pipelineHash: "p1", datasetHash: "d1", config: "{}", plan: nil)
/// try await store.insertResults(records)
/// ```
public protocol Store: AnyObject, Sendable {
    /// Where the store is, safe to print: a file's path, or a database URL without its password.
    var location: String { get }
    /// Whether other processes write to the store as a matter of course (a database shared by workers): then a
    /// cache over it looks up every key it misses, rather than only the keys it found when it started.
    var isShared: Bool { get }

    // MARK: Runs

    /// Creates a run named `name` (names are unique) with status `running`.
    func createRun(
        name: String, kind: String, pipeline: String, pipelineHash: String, datasetHash: String, config: String,
        plan: String?
    ) async throws -> RunRecord
    /// The run named `name`, or `nil`.
    func run(named name: String) async throws -> RunRecord?
    /// The run with id `id`, or `nil`.
    func run(id: Int64) async throws -> RunRecord?
    /// Every run, newest first.
    func runs() async throws -> [RunRecord]
    /// Stores the run's plan (its pipeline, dataset and settings, without secrets), for resuming it.
    func setPlan(runID: Int64, plan: String) async throws
    /// Records which process works on the run (`nil` when none does).
    func setWorker(runID: Int64, pid: Int?, host: String?) async throws
    /// Sets the run's status and, when given, its totals.
    func updateRun(id: Int64, status: String, totals: StoredTotals?) async throws
    /// The totals of the run's stored results.
    func totals(runID: Int64) async throws -> StoredTotals

    // MARK: Results

    /// Inserts results in one transaction; a result already stored for the same example is replaced.
    func insertResults(_ records: [ResultRecord]) async throws
    /// Writes, in one transaction, the results and stage records `take` returns; `take` runs once the transaction has
    /// begun, so that what it takes is exactly what commits or fails together (``ResultBatcher``).
    func writeResultBatch(
        _ take: @escaping @Sendable () throws -> (results: [ResultRecord], stages: [ExampleStageRecord])
    ) async throws
    /// The ids of the run's finished examples.
    func completedExampleIDs(runID: Int64) async throws -> Set<String>
    /// The ids of the run's finished examples at these dataset positions (one shard's).
    func completedExampleIDs(runID: Int64, positions: Range<Int>) async throws -> Set<String>
    /// How many results the run has.
    func resultCount(runID: Int64) async throws -> Int
    /// The run's results in example order.
    func results(runID: Int64) async throws -> [ResultRecord]
    /// Calls `body` with each of the run's results in example order, a page at a time in memory.
    nonisolated(nonsending) func forEachResult(runID: Int64, _ body: (ResultRecord) throws -> Void) async throws
    /// The run's lowest-scoring results (errors first), at most `limit`.
    func worstResults(runID: Int64, limit: Int) async throws -> [ResultRecord]
    /// The result of one example, or `nil`.
    func result(runID: Int64, exampleID: String) async throws -> ResultRecord?
    /// One page of the run's results, filtered and sorted as `query` says.
    func resultPage(runID: Int64, query: ResultPageQuery) async throws -> ResultPage
    /// How many errors of each kind the run has, most frequent first.
    func errorKindCounts(runID: Int64) async throws -> [(kind: String, count: Int)]
    /// The run's results for the given examples, by example id.
    func results(runID: Int64, exampleIDs: [String]) async throws -> [String: ResultRecord]
    /// The examples two runs share, paired, in example order; `flippedOnly` keeps the ones that passed in one run
    /// and failed in the other.
    func comparedResults(runID: Int64, with otherID: Int64, flippedOnly: Bool, offset: Int, limit: Int) async throws
        -> (pairs: [(ResultRecord, ResultRecord)], total: Int)

    // MARK: Stages

    /// Inserts stage records in one transaction; a record already stored for the same stage is replaced.
    func insertStages(_ records: [ExampleStageRecord]) async throws
    /// The stages of one example, in pipeline order.
    func stages(runID: Int64, exampleID: String) async throws -> [ExampleStageRecord]
    /// The stages of the last `examples` examples to finish.
    func lastStages(runID: Int64, examples: Int) async throws -> [ExampleStageRecord]
    /// How many stage records the run has.
    func stageCount(runID: Int64) async throws -> Int

    // MARK: Compile journal

    /// Records (or replaces) one step of a compile run.
    func saveCompileStep(_ record: CompileStepRecord) async throws
    /// The step stored under `key`, or `nil`.
    func compileStep(runID: Int64, key: String) async throws -> CompileStepRecord?
    /// The steps whose keys start with `prefix` (every step for `""`), in key order.
    func compileSteps(runID: Int64, prefix: String) async throws -> [CompileStepRecord]
    /// Records (or replaces) one example's result within a compile step.
    func saveCompileResult(_ record: CompileResultRecord) async throws
    /// The results of one compile step, in example order.
    func compileResults(runID: Int64, step: String) async throws -> [CompileResultRecord]
    /// The totals of every compile result of the run.
    func compileTotals(runID: Int64) async throws -> StoredTotals

    // MARK: Programs

    /// Saves a program's JSON under `name` (a later save of the same name is a new version).
    func saveProgram(name: String, json: String, runID: Int64?) async throws -> ProgramRecord
    /// The saved programs, oldest first; only the run's when `runID` is given.
    func programs(runID: Int64?) async throws -> [ProgramRecord]
    /// The newest program saved under `name`, or `nil`.
    func program(named name: String) async throws -> ProgramRecord?

    // MARK: LM cache

    /// The reply text stored under `key` (a request's cache key), or `nil`.
    func cachedReplyText(forKey key: String) async throws -> String?
    /// Stores cached replies in one transaction; an existing key is overwritten.
    func storeCachedReplies(_ rows: [LMCacheRecord]) async throws
    /// How many replies the cache holds.
    func cachedResponseCount() async throws -> Int
    /// Calls `body` with every key of the cache, one row in memory at a time.
    nonisolated(nonsending) func forEachCachedKey(_ body: (String) -> Void) async throws
    /// Calls `body` with every key and reply text of the cache, one row in memory at a time.
    nonisolated(nonsending) func forEachCachedReply(_ body: (String, String) -> Void) async throws

    // MARK: Embedding cache

    /// The stored embeddings (packed floats) of those of `keys` the cache holds.
    func cachedEmbeddingData(forKeys keys: [String]) async throws -> [String: Data]
    /// Stores embeddings in one transaction; an existing key is overwritten.
    func storeCachedEmbeddings(_ rows: [EmbeddingCacheRecord]) async throws
    /// How many embeddings the cache holds.
    func cachedEmbeddingCount() async throws -> Int
}

extension Store {
    /// A store is not shared unless its backend says so.
    public var isShared: Bool { false }
}
