import Foundation

/// What one stage did for one example of a stored evaluation, read back for `dspex inspect`, `dspex serve` and
/// `dspex report`: its inputs and outputs, each LM call's messages and raw replies, the adapter fallback and the
/// error with its raw reply.
///
/// ```swift
/// for stage in try report.stages(ofExample: "ex-7", in: store) {
///     print(stage.stage, stage.calls.first?.replies.first ?? "")
/// }
/// ```
public struct StageReport: Sendable, Hashable {
    /// One LM call the stage made.
    public struct Call: Sendable, Hashable {
        /// One chat message sent.
        public struct Message: Sendable, Hashable {
            /// `system`, `user`, `assistant` or `tool`.
            public var role: String
            /// The message text.
            public var content: String
        }

        /// The model asked.
        public var model: String
        /// The messages sent, in order.
        public var messages: [Message]
        /// The request's other options (temperature, max_tokens, response_format, …), as sent.
        public var options: Value
        /// The raw text of each choice.
        public var replies: [String]
        /// Native tool calls the model made.
        public var toolCalls: [Value]
        /// Whether a cache answered.
        public var cached: Bool
        /// Why the call failed, if it did.
        public var error: String?
        /// The call's latency in milliseconds.
        public var latencyMs: Double

        /// A call read from its stored JSON (``LMCallLog/Call/storedValue``).
        init(stored: Value) {
            let request = stored["request"]?.objectValue ?? [:]
            model = request["model"]?.stringValue ?? ""
            messages = (request["messages"]?.arrayValue ?? []).map { message in
                Message(
                    role: message["role"]?.stringValue ?? "?",
                    content: message["content"]?.stringValue ?? message["content"]?.plainText ?? "")
            }
            options = .object(request.filter { $0.key != "model" && $0.key != "messages" })
            replies = (stored["replies"]?.arrayValue ?? []).map { $0.stringValue ?? $0.plainText }
            toolCalls = stored["tool_calls"]?.arrayValue ?? []
            cached = stored["cached"]?.boolValue ?? false
            error = stored["error"]?.stringValue
            latencyMs = stored["latency_ms"]?.doubleValue ?? 0
        }
    }

    /// The example's id.
    public var exampleID: String
    /// The stage's id.
    public var stage: String
    /// The stage's position in the graph.
    public var position: Int
    /// The stage's inputs (an object).
    public var inputs: Value
    /// The stage's outputs (an object; empty when it failed).
    public var outputs: Value
    /// The LM calls, in the order they finished.
    public var calls: [Call]
    /// The adapter fallbacks that happened, if any.
    public var fallback: String?
    /// Why the stage failed, if it did.
    public var error: String?
    /// The raw reply the error is about.
    public var rawReply: String?

    /// The report of a stored stage record.
    public init(_ record: ExampleStageRecord) {
        exampleID = record.exampleId
        stage = record.stage
        position = record.position
        inputs = (try? Value(json: record.inputs)) ?? .string(record.inputs)
        outputs = (try? Value(json: record.outputs)) ?? .string(record.outputs)
        calls = ((try? Value(json: record.calls))?.arrayValue ?? []).map(Call.init(stored:))
        fallback = record.fallback
        error = record.error
        rawReply = record.rawReply
    }
}

extension RunReport {
    /// What each stage did for example `exampleID`, in graph order; empty when the run kept nothing for it.
    ///
    /// - Throws: ``EvaluateError`` with ``EvaluateError/Code/unknownRun`` when the run has no such example.
    public func stages(ofExample exampleID: String, in store: any Store) async throws -> [StageReport] {
        let records = try await store.stages(runID: id, exampleID: exampleID)
        if records.isEmpty, try await store.result(runID: id, exampleID: exampleID) == nil {
            throw EvaluateError(
                code: .unknownRun, message: "run '\(name)' has no example with id '\(exampleID)'")
        }
        return records.map(StageReport.init)
    }

    /// The stages of the last `examples` examples (in dataset order) that kept any: what `dspex inspect --last`
    /// shows.
    public func lastStages(examples: Int, in store: any Store) async throws -> [StageReport] {
        try await store.lastStages(runID: id, examples: examples).map(StageReport.init)
    }
}
