import OrderedCollections

/// The reduce side of an evaluation: mean score, counts, errors, tokens and latency per stage.
///
/// With a store it covers the whole run, including examples finished before a resume, so a resumed
/// run reports what an uninterrupted one would.
public struct EvaluationResult: Sendable, Hashable {
    /// The run's name in the store, if any.
    public var runName: String?
    /// The mean metric score over all examples (failed examples score 0), from 0 to 1.
    public var score: Double
    /// Examples with a result.
    public var examples: Int
    /// Examples that failed in some stage or in the metric.
    public var errors: Int
    /// LM calls that reached a model.
    public var lmCalls: Int
    /// LM calls answered from a cache.
    public var cachedCalls: Int
    /// LM calls that failed after their attempts.
    public var failedCalls: Int
    /// HTTP requests sent (every attempt, retries and one-choice requests of a fan-out included): what the server
    /// counted.
    public var requests: Int
    /// Prompt tokens of the calls that reached a model.
    public var promptTokens: Int
    /// Completion tokens of the calls that reached a model.
    public var completionTokens: Int
    /// Median and 95th-percentile latency per stage, over the examples run in this process.
    public var stageLatency: OrderedDictionary<String, LatencySummary>
    /// Set when the run stopped early (budget, max errors, cancellation); it can be resumed.
    public var stopReason: RunSummary.StopReason?
    /// The error that stopped the run (a spent budget, a key or model the server refused), when one did.
    public var stopError: LMError?
    /// Examples skipped because they already had a result when the run resumed.
    public var resumedExamples: Int

    /// Creates an empty result.
    public init(runName: String? = nil) {
        self.runName = runName
        score = 0
        examples = 0
        errors = 0
        lmCalls = 0
        cachedCalls = 0
        failedCalls = 0
        requests = 0
        promptTokens = 0
        completionTokens = 0
        stageLatency = [:]
        stopReason = nil
        stopError = nil
        resumedExamples = 0
    }

    /// The score as DSPy prints it, a percentage.
    public var percentage: Double { score * 100 }

    /// The result as a JSON object (`run`, `score`, `examples`, `errors`, `lm_calls`, `cached_calls`,
    /// `prompt_tokens`, `completion_tokens`, `stopped`, `stage_latency_ms`).
    public var json: Value {
        var latency = OrderedDictionary<String, Value>()
        for (stage, summary) in stageLatency {
            latency[stage] = ["p50": .double(summary.p50Milliseconds), "p95": .double(summary.p95Milliseconds)]
        }
        return [
            "run": runName.map(Value.string) ?? .null,
            "score": .double((percentage * 100).rounded() / 100),
            "examples": .int(examples), "errors": .int(errors), "lm_calls": .int(lmCalls),
            "cached_calls": .int(cachedCalls), "failed_calls": .int(failedCalls), "requests": .int(requests),
            "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens),
            "stopped": stopReason.map { .string($0.description) } ?? .null,
            "resumed_examples": .int(resumedExamples),
            "stage_latency_ms": .object(latency),
        ]
    }
}

/// Latency percentiles of one stage.
public struct LatencySummary: Sendable, Hashable {
    /// The median, in milliseconds.
    public var p50Milliseconds: Double
    /// The 95th percentile, in milliseconds.
    public var p95Milliseconds: Double
}
