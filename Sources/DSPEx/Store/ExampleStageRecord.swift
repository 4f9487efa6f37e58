import GRDB

/// What one stage did for one example of an evaluation: a row of the `exampleStage` table, keyed by (`runId`,
/// `exampleId`, `position`).
///
/// Written with the example's ``ResultRecord`` in the same batched transaction (``ResultBatcher/submit(_:stages:)``);
/// read by `dspex inspect` and the console. `calls` is a JSON array, one object per LM call:
/// `{"request": <the body sent: model, messages, options>, "replies": [<raw text>], "cached": false,
/// "latency_ms": 12.5}` with `"error"` for a failed call and `"tool_calls"` when the model made any. A request body
/// never holds an API key or header: those are the client's, not the request's. Texts longer than the evaluation's
/// ``Evaluate/Configuration/keptTextLimit`` are cut there, with a note of how many characters were left out.
public struct ExampleStageRecord: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "exampleStage"

    /// The run.
    public var runId: Int64
    /// The example's id.
    public var exampleId: String
    /// The stage's position in the program's graph (0-based).
    public var position: Int
    /// The stage's id.
    public var stage: String
    /// The stage's inputs as a JSON object.
    public var inputs: String
    /// The stage's outputs as a JSON object (`{}` when it failed).
    public var outputs: String
    /// The LM calls as a JSON array (see above).
    public var calls: String
    /// How many calls `calls` holds.
    public var callCount: Int
    /// The adapter fallbacks that happened, one per line, if any.
    public var fallback: String?
    /// Why the stage failed, if it did.
    public var error: String?
    /// The raw reply the error is about, when it has one.
    public var rawReply: String?

    /// Creates a stage record.
    public init(
        runId: Int64, exampleId: String, position: Int, stage: String, inputs: String, outputs: String,
        calls: String = "[]", callCount: Int = 0, fallback: String? = nil, error: String? = nil,
        rawReply: String? = nil
    ) {
        self.runId = runId
        self.exampleId = exampleId
        self.position = position
        self.stage = stage
        self.inputs = inputs
        self.outputs = outputs
        self.calls = calls
        self.callCount = callCount
        self.fallback = fallback
        self.error = error
        self.rawReply = rawReply
    }
}
