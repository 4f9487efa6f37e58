import Synchronization

/// What a compile run has decided and computed so far: proposals and trials (keyed steps) and every example's
/// outcome in every step, kept in the ``Store`` as each finishes.
///
/// Optimizers are deterministic drivers: given the same seed and the same recorded outcomes they make the same
/// choices. A resumed run therefore runs its driver from the start against the journal — recorded proposals are
/// read back instead of asking the model again, recorded examples are not run again — and continues where the
/// interrupted run stopped, producing the program an uninterrupted run would have.
///
/// Without a store the journal lives in memory (it still spares re-evaluating the same program on the same
/// example within one run).
///
/// ```swift
/// let journal = try CompileJournal(store: store, runID: runID)
/// let summary = try await journal.memo("summary") { .string(try await summarize()) }
/// ```
public final class CompileJournal: Sendable {
    /// The store the journal writes through, or `nil` for an in-memory journal.
    public let store: (any Store)?
    /// The compile run's id in ``store``.
    public let runID: Int64?
    private let memory = Mutex(Memory())

    private struct Memory {
        var steps: [String: Value] = [:]
        var results: [String: [String: StepResult]] = [:]
        var loadedSteps: Set<String> = []
    }

    /// An in-memory journal.
    public init() {
        store = nil
        runID = nil
    }

    /// A journal kept in `store` for run `runID`.
    public init(store: any Store, runID: Int64) {
        self.store = store
        self.runID = runID
    }

    /// The value recorded for `key`, or `nil`.
    public func value(for key: String) async throws -> Value? {
        if let cached = memory.withLock({ $0.steps[key] }) { return cached }
        guard let store, let runID, let record = try await store.compileStep(runID: runID, key: key) else { return nil }
        let value = try Value(json: record.value)
        memory.withLock { $0.steps[key] = value }
        return value
    }

    /// Records `value` under `key`, replacing an earlier one; durable when this returns.
    public func record(_ value: Value, for key: String) async throws {
        if let store, let runID {
            try await store.saveCompileStep(CompileStepRecord(runId: runID, key: key, value: value.jsonString()))
        }
        memory.withLock { $0.steps[key] = value }
    }

    /// The value recorded for `key`; computed with `compute` and recorded when there is none yet, with what its LM
    /// calls cost (under ``usageKeyPrefix``, so that the run's totals count calls made outside any example, such as
    /// a proposer's, also after a resume).
    public func memo(_ key: String, _ compute: () async throws -> Value) async throws -> Value {
        if let recorded = try await value(for: key) { return recorded }
        let (value, usage) = try await withUsageScope { try await compute() }
        if usage.requests > 0 || usage.cachedCalls > 0 {
            try await record(Self.value(of: usage), for: Self.usageKeyPrefix + key)
        }
        try await record(value, for: key)
        return value
    }

    /// Where ``memo(_:_:)`` records the usage of a computed value.
    public static let usageKeyPrefix = "usage/"

    /// What the calls of every memoized computation cost, summed.
    public func memoUsage() async throws -> Usage {
        var total = Usage()
        if let store, let runID {
            for record in try await store.compileSteps(runID: runID, prefix: Self.usageKeyPrefix) {
                total = total + Self.usage(of: try Value(json: record.value))
            }
        } else {
            for (key, value) in memory.withLock({ $0.steps }) where key.hasPrefix(Self.usageKeyPrefix) {
                total = total + Self.usage(of: value)
            }
        }
        return total
    }

    private static func value(of usage: Usage) -> Value {
        [
            "lm_calls": .int(usage.lmCalls), "cached_calls": .int(usage.cachedCalls),
            "failed_calls": .int(usage.failedCalls), "requests": .int(usage.requests),
            "prompt_tokens": .int(usage.tokens.promptTokens), "completion_tokens": .int(usage.tokens.completionTokens),
        ]
    }

    private static func usage(of value: Value) -> Usage {
        Usage(
            lmCalls: value["lm_calls"]?.intValue ?? 0, cachedCalls: value["cached_calls"]?.intValue ?? 0,
            failedCalls: value["failed_calls"]?.intValue ?? 0,
            tokens: TokenUsage(
                promptTokens: value["prompt_tokens"]?.intValue ?? 0,
                completionTokens: value["completion_tokens"]?.intValue ?? 0),
            requests: value["requests"]?.intValue ?? 0)
    }

    /// The recorded outcomes of step `step`, by example id.
    public func results(step: String) async throws -> [String: StepResult] {
        if let cached = memory.withLock({ $0.loadedSteps.contains(step) ? $0.results[step] ?? [:] : nil }) {
            return cached
        }
        var loaded: [String: StepResult] = [:]
        if let store, let runID {
            for record in try await store.compileResults(runID: runID, step: step) {
                loaded[record.exampleId] = try StepResult(record)
            }
        }
        memory.withLock { memory in
            for (id, result) in loaded where memory.results[step]?[id] == nil {
                memory.results[step, default: [:]][id] = result
            }
            memory.loadedSteps.insert(step)
        }
        return memory.withLock { $0.results[step] ?? [:] }
    }

    /// Records one example's outcome in `step`; durable when this returns.
    public func record(_ result: StepResult, step: String) async throws {
        if let store, let runID { try await store.saveCompileResult(result.record(runID: runID, step: step)) }
        memory.withLock { $0.results[step, default: [:]][result.exampleID] = result }
    }
}
