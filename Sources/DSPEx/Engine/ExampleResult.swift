import OrderedCollections

/// What a run produced for one example: the program's outputs, or the error of the stage that failed.
public struct ExampleResult: Sendable, Hashable {
    /// The example's 0-based position in the dataset stream.
    public var index: Int
    /// The example itself.
    public var example: Example
    /// The program's outputs by name; empty when a stage failed.
    public var outputs: OrderedDictionary<String, Value>
    /// The failure that stopped this example, if any.
    public var error: StageFailure?
    /// The cost of every stage for this example.
    public var usage: Usage
    /// Each stage's own usage, by stage id (latency is the stage's wall time for this example).
    public var stageUsage: OrderedDictionary<String, Usage>
    /// Every predictor call made for this example, in stage order, when the run captures traces.
    public var trace: [TraceEntry] = []
    /// What each stage that ran did for this example, in graph order, when the run records its stages.
    public var stages: [StageRecord] = []

    /// Creates a result.
    public init(
        index: Int, example: Example, outputs: OrderedDictionary<String, Value>, error: StageFailure? = nil,
        usage: Usage = Usage(), stageUsage: OrderedDictionary<String, Usage> = [:]
    ) {
        self.index = index
        self.example = example
        self.outputs = outputs
        self.error = error
        self.usage = usage
        self.stageUsage = stageUsage
    }
}

/// One example's failure in one stage: isolated to that example, recorded, and the run goes on.
public struct StageFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stage that failed.
    public var stage: String
    /// What went wrong, one sentence.
    public var message: String
    /// What kind of failure: `adapter:<code>` or `lm:<code>` for those layers' errors, `input` for a missing input,
    /// `error` for anything else.
    public var kind: String
    /// The error that stops the whole run — a spent budget, a rejected key, an unknown model — when this failure
    /// is one: the example is not done, is not recorded, and the run stops resumably.
    public var runStop: LMError?
    /// The calls the failed stage made before it failed (they were paid for, so they are counted).
    public var usage: Usage

    /// Whether the example could not run because a budget was spent.
    public var isBudgetExhausted: Bool { runStop?.code == .budgetExhausted }

    /// Creates a failure.
    public init(
        stage: String, message: String, kind: String = "error", runStop: LMError? = nil, usage: Usage = Usage()
    ) {
        self.kind = kind
        self.stage = stage
        self.message = message
        self.runStop = runStop
        self.usage = usage
    }

    /// The failure of `stage` caused by `error`, after calls costing `usage`.
    init(stage: String, error: any Error, usage: Usage = Usage()) {
        let stop = (error as? LMError).flatMap { $0.stopsRun ? $0 : nil }
        self.init(
            stage: stage, message: String(describing: error), kind: Self.kind(of: error), runStop: stop, usage: usage)
    }

    /// The ``kind`` of a failure caused by `error`.
    static func kind(of error: any Error) -> String {
        switch error {
        case let error as AdapterError: "adapter:\(error.code)"
        case let error as LMError: "lm:\(error.code)"
        default: "error"
        }
    }

    public var description: String { "stage '\(stage)': \(message)" }
}

/// Totals of a run.
public struct RunSummary: Sendable, Hashable {
    /// Why a run stopped before the end of its dataset.
    public struct StopReason: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        /// More examples failed than `maxErrors` allows.
        public static let maxErrors = StopReason(name: "max_errors")
        /// The run was cancelled (Ctrl-C, a budget, or the caller).
        public static let cancelled = StopReason(name: "cancelled")
        /// A call or token budget was spent.
        public static let budgetExhausted = StopReason(name: "budget_exhausted")
        /// The model's server refused what no call can get past (the key, the model): see ``RunSummary/stopError``.
        public static let lmRefused = StopReason(name: "lm_refused")

        /// The reason a run-stopping LM error gives.
        public static func stopping(for error: LMError) -> StopReason {
            error.code == .budgetExhausted ? .budgetExhausted : .lmRefused
        }
    }

    /// Examples with a result (succeeded or failed).
    public var examples = 0
    /// Examples that failed in some stage.
    public var errors = 0
    /// LM calls that reached a model.
    public var lmCalls = 0
    /// LM calls answered from a cache.
    public var cachedCalls = 0
    /// LM calls that failed after their attempts.
    public var failedCalls = 0
    /// HTTP requests sent (every attempt).
    public var requests = 0
    /// Tokens of the calls that reached a model.
    public var tokens = TokenUsage()
    /// Wall time of the run.
    public var elapsed: Duration = .zero
    /// Set when the run stopped early.
    public var stopReason: StopReason?
    /// The error that stopped the run, for ``StopReason/budgetExhausted`` and ``StopReason/lmRefused``.
    public var stopError: LMError?

    /// Creates an empty summary.
    public init() {}

    mutating func add(_ result: ExampleResult) {
        examples += 1
        if result.error != nil { errors += 1 }
        lmCalls += result.usage.lmCalls
        cachedCalls += result.usage.cachedCalls
        failedCalls += result.usage.failedCalls
        requests += result.usage.requests
        tokens = tokens + result.usage.tokens
    }
}
