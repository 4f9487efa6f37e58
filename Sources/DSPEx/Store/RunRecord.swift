import Foundation
import GRDB

/// One evaluation, compile or plain run: a row of the `run` table.
///
/// A run is found by its unique ``name`` to be resumed; ``pipelineHash`` and ``datasetHash``
/// let a resume refuse a pipeline or dataset that changed since. ``totals`` is the JSON of
/// ``StoredTotals`` written when the run stops or completes.
///
/// ```swift
/// let run = try store.createRun(
///     name: "arith-1", kind: RunRecord.Kind.eval, pipeline: "pipelines/arithmetic.yaml",
///     pipelineHash: programHash, datasetHash: datasetHash, config: "{}")
/// try store.updateRun(id: run.id!, status: RunRecord.Status.completed, totals: totals)
/// ```
public struct RunRecord: Sendable, Hashable, Codable, FetchableRecord, MutablePersistableRecord {
    /// The values of ``kind``.
    public enum Kind {
        /// An evaluation of a program on a dataset.
        public static let eval = "eval"
        /// An optimizer compiling a program.
        public static let compile = "compile"
        /// A plain run of a pipeline over a dataset.
        public static let run = "run"
    }

    /// The values of ``status``.
    public enum Status {
        /// Started and not finished (or killed: a killed run stays `running` until resumed).
        public static let running = "running"
        /// Every example has a result.
        public static let completed = "completed"
        /// Stopped early (cancelled, budget spent); resumable.
        public static let stopped = "stopped"
        /// Ended by an error.
        public static let failed = "failed"
    }

    public static let databaseTableName = "run"

    /// The row id, assigned on insert.
    public var id: Int64?
    /// The unique name a run is resumed by.
    public var name: String
    /// `eval`, `compile` or `run` (see ``Kind``).
    public var kind: String
    /// The pipeline file's path, as given.
    public var pipeline: String
    /// A hash of the program (pipeline and its prompts).
    public var pipelineHash: String
    /// A hash of the dataset's content.
    public var datasetHash: String
    /// The run's configuration as JSON text (metric, options); never an API key.
    public var config: String
    /// `running`, `completed`, `stopped` or `failed` (see ``Status``).
    public var status: String
    /// When the run was created.
    public var createdAt: Date
    /// When the run's status or totals last changed.
    public var updatedAt: Date
    /// The JSON of ``StoredTotals``, once written.
    public var totals: String?
    /// The JSON of the run's plan (what to run, with which model and options), from which it is resumed; `nil`
    /// for runs stored before plans were (they resume from the command line kept in ``config``).
    public var plan: String?
    /// The id of the process working on the run, while one is.
    public var workerPid: Int?
    /// The host of that process.
    public var workerHost: String?

    /// Creates a run record; ``Store/createRun(name:kind:pipeline:pipelineHash:datasetHash:config:)`` inserts one.
    public init(
        id: Int64? = nil, name: String, kind: String, pipeline: String, pipelineHash: String, datasetHash: String,
        config: String, status: String = Status.running, createdAt: Date = Date(), updatedAt: Date = Date(),
        totals: String? = nil, plan: String? = nil, workerPid: Int? = nil, workerHost: String? = nil
    ) {
        self.plan = plan
        self.workerPid = workerPid
        self.workerHost = workerHost
        self.id = id
        self.name = name
        self.kind = kind
        self.pipeline = pipeline
        self.pipelineHash = pipelineHash
        self.datasetHash = datasetHash
        self.config = config
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.totals = totals
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
