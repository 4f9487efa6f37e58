/// The default language model and adapter of the current task, set with ``withLM(_:adapter:_:)``.
///
/// Child tasks inherit them. A module's own `lm` takes precedence.
public enum LMContext {
    /// The language model modules use when they have none of their own.
    @TaskLocal public static var languageModel: (any LanguageModel)?
    /// The adapter modules use when they have none of their own.
    @TaskLocal public static var adapter: (any Adapter)?
    /// When set, every call asks for a fresh sample: this rollout id (part of the cache key) and, unless the
    /// module sets one, temperature 1.0 — how bootstrapping rounds after the first get new traces.
    @TaskLocal public static var rolloutID: Int?
    /// With ``rolloutID``: the temperature every sampled call uses, over the module's own — DSPy's
    /// `lm.copy(rollout_id=..., temperature=1.0)`, which SIMBA samples with. `nil` keeps a module's temperature.
    @TaskLocal public static var samplingTemperature: Double?
    /// While bootstrapping, a predictor leaves out any demo whose inputs equal the call's inputs, so a
    /// teacher never sees the answer to the example it is answering.
    @TaskLocal public static var excludesMatchingDemos = false
    /// While ``Refine`` retries with advice: every predictor call gets the extra input `hint_` with the hint under
    /// its name here ("N/A" when there is none). The predictor's own signature is not changed.
    @TaskLocal public static var hints: [String: String]?
}

/// Runs `body` with `lm` (and optionally `adapter`) as the default for every module inside,
/// the scoped counterpart of DSPy's `dspy.configure(lm=...)`.
///
/// ```swift
/// try await withLM(lm) {
///     try await Predict("question -> answer")(["question": "What is 2 + 3?"])
/// }
/// ```
public func withLM<R: Sendable>(
    _ lm: any LanguageModel, adapter: (any Adapter)? = nil, _ body: () async throws -> R
) async rethrows -> R {
    try await LMContext.$languageModel.withValue(lm) {
        try await LMContext.$adapter.withValue(adapter ?? LMContext.adapter) {
            try await body()
        }
    }
}
