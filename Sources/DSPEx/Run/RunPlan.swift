import Foundation

/// Everything a run is: which pipeline on which data, with which program, model, metric, optimizer and budget —
/// stored with the run (as JSON, never an API key), so ``Run/resume(named:store:connector:observer:)`` continues
/// it with exactly what it was started with.
///
/// ```swift
/// var plan = RunPlan(kind: .eval, pipeline: "pipelines/arithmetic.yaml", data: "data/arithmetic_dev.jsonl")
/// plan.lm.temperature = 0.7
/// let outcome = try await Run.start(plan, named: "arith-1", store: store, connector: connector)
/// ```
public struct RunPlan: Sendable, Hashable, Codable {
    /// What a run does.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Score a program on a dataset.
        case eval
        /// Optimize a program's prompts from a training set.
        case compile
    }

    /// Evaluation or optimization.
    public var kind: Kind
    /// The pipeline file.
    public var pipeline: String
    /// The dataset evaluated (eval) or the training set (compile).
    public var data: String
    /// The validation set candidates are chosen on (compile; `nil`: the optimizer's default, as in DSPy).
    public var valset: String?
    /// A saved program (DSPy's JSON layout) applied to the pipeline before evaluating.
    public var program: String?
    /// The field holding each example's id.
    public var idField: String
    /// Skip bad rows (counted and reported) instead of stopping at the first one.
    public var skipBadRows: Bool
    /// Read at most this many rows.
    public var limit: Int?
    /// Model settings that win over the pipeline file's.
    public var lm: LMOverrides
    /// The built-in simulator's options, when the run uses it.
    public var simulator: SimulatorOptions
    /// Answer repeated requests from the store's persistent cache.
    public var cache: Bool
    /// A metric name that overrides the pipeline file's.
    public var metric: String?
    /// The output field the metric compares, overriding the file's.
    public var metricField: String?
    /// The optimizer and its parameters (compile).
    public var optimizer: OptimizerPlan?
    /// The most calls and tokens one attempt at the run may spend (then it stops, resumably).
    public var budget: UsageBudget?
    /// Examples in flight per stage, overriding the file's.
    public var concurrency: Int?
    /// Stop an evaluation after this many failed examples.
    public var maxErrors: Int?
    /// Where a compile run's optimized program is written (DSPy's JSON layout) when it completes.
    public var out: String?
    /// Whether the result is reported as JSON (kept so a resume reports as the start did).
    public var json: Bool
    /// Which examples of an evaluation keep their stages' inputs, outputs and LM calls; `nil` (plans stored before
    /// there was a choice) is ``KeepPrompts/all``.
    public var keepPrompts: KeepPrompts?
    /// Requests per minute allowed to the run across every worker sharing it (a token bucket in the shared store);
    /// `nil` for none beyond each client's own.
    public var sharedRequestsPerMinute: Int?

    /// Creates a plan with DSPEx's defaults for everything not given.
    public init(
        kind: Kind, pipeline: String, data: String, valset: String? = nil, program: String? = nil,
        idField: String = "id", skipBadRows: Bool = false, limit: Int? = nil, lm: LMOverrides = LMOverrides(),
        simulator: SimulatorOptions = SimulatorOptions(), cache: Bool = true, metric: String? = nil,
        metricField: String? = nil, optimizer: OptimizerPlan? = nil, budget: UsageBudget? = nil,
        concurrency: Int? = nil, maxErrors: Int? = nil, out: String? = nil, json: Bool = false,
        keepPrompts: KeepPrompts? = nil, sharedRequestsPerMinute: Int? = nil
    ) {
        self.sharedRequestsPerMinute = sharedRequestsPerMinute
        self.keepPrompts = keepPrompts
        self.out = out
        self.json = json
        self.kind = kind
        self.pipeline = pipeline
        self.data = data
        self.valset = valset
        self.program = program
        self.idField = idField
        self.skipBadRows = skipBadRows
        self.limit = limit
        self.lm = lm
        self.simulator = simulator
        self.cache = cache
        self.metric = metric
        self.metricField = metricField
        self.optimizer = optimizer
        self.budget = budget
        self.concurrency = concurrency
        self.maxErrors = maxErrors
    }

    /// The plan as stored with the run. A password in the base URL (`https://user:secret@host/v1`) is a secret and
    /// is not stored: a resumed run authenticates with the key in its environment variable.
    public func jsonText() throws -> String {
        var stored = self
        if let baseURL = lm.baseURL, var components = URLComponents(string: baseURL), components.password != nil {
            components.password = nil
            components.user = nil
            stored.lm.baseURL = components.string ?? baseURL
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(stored), as: UTF8.self)
    }

    /// A plan read back from its stored JSON.
    ///
    /// - Throws: ``RunError`` with ``RunError/Code/invalidPlan`` naming what could not be read.
    public init(json: String) throws(RunError) {
        do {
            self = try JSONDecoder().decode(RunPlan.self, from: Data(json.utf8))
        } catch {
            throw RunError(code: .invalidPlan, message: "the stored plan cannot be read: \(error)")
        }
    }
}

/// The built-in simulator's options for a run that uses it (read by whoever connects the model; the library
/// itself never starts the simulator).
public struct SimulatorOptions: Sendable, Hashable, Codable {
    /// Simulated latency per call, in milliseconds.
    public var latencyMilliseconds: Int
    /// The fraction of calls that fail with a retryable fault.
    public var failRate: Double
    /// The simulator's seed.
    public var seed: UInt64

    /// Creates options; the defaults answer at once, never fail, with seed 0.
    public init(latencyMilliseconds: Int = 0, failRate: Double = 0, seed: UInt64 = 0) {
        self.latencyMilliseconds = latencyMilliseconds
        self.failRate = failRate
        self.seed = seed
    }
}
