import OrderedCollections

/// What one stage did for one example, kept when a run records its stages: the inputs it was given, the outputs it
/// produced, every LM call it made (the exact request and the raw reply), the adapter fallback if one happened, and
/// its error with the raw reply that caused it.
///
/// The scheduler makes one per stage that ran (stages skipped after an upstream failure have none), when
/// ``Scheduler/Configuration/recordStages`` is set; they arrive in ``ExampleResult/stages`` in graph order.
public struct StageRecord: Sendable, Hashable {
    /// The stage's id.
    public var stage: String
    /// The stage's position in the graph (0-based).
    public var position: Int
    /// The inputs the stage ran with.
    public var inputs: OrderedDictionary<String, Value>
    /// The outputs it produced; empty when it failed.
    public var outputs: OrderedDictionary<String, Value>
    /// The LM calls it made, in the order they finished.
    public var calls: [LMCallLog.Call]
    /// Adapter fallbacks that happened (`ChatAdapter → JSONAdapter: …`), in order.
    public var fallbacks: [String]
    /// Why the stage failed, if it did.
    public var error: String?
    /// The raw reply the error is about (a reply that did not parse), when the error has one.
    public var rawReply: String?

    /// Creates a record.
    public init(
        stage: String, position: Int, inputs: OrderedDictionary<String, Value>,
        outputs: OrderedDictionary<String, Value>, calls: [LMCallLog.Call] = [], fallbacks: [String] = [],
        error: String? = nil, rawReply: String? = nil
    ) {
        self.stage = stage
        self.position = position
        self.inputs = inputs
        self.outputs = outputs
        self.calls = calls
        self.fallbacks = fallbacks
        self.error = error
        self.rawReply = rawReply
    }
}
