import OrderedCollections
import Synchronization

/// The language-model calls made inside ``withLMCallLog(_:)``: the exact request each sent (its body, never a key
/// or header), the raw reply or the error, and any adapter fallback — what a viewer needs to show why an example
/// came out as it did.
///
/// ``LanguageModel/call(_:)`` appends to the current log, when there is one; outside a log nothing is recorded and
/// nothing is paid. The scheduler opens a log per stage and example when a run keeps its prompts.
///
/// ```swift
/// let (prediction, calls) = try await withLMCallLog { try await predict(["question": "What is 2 + 3?"]) }
/// calls.entries.first?.replies   // ["[[ ## answer ## ]]\n5\n\n[[ ## completed ## ]]"]
/// ```
public final class LMCallLog: Sendable {
    /// One recorded call.
    public struct Call: Sendable, Hashable {
        /// The request as sent: model, messages and options (``LMRequest/body``).
        public var request: LMRequest
        /// Each choice's raw text; empty when the call failed.
        public var replies: [String]
        /// Each choice's native tool calls, when the model made any.
        public var toolCalls: [Value]
        /// Whether a cache (or an identical call in flight) answered.
        public var cached: Bool
        /// The error's description when the call failed.
        public var error: String?
        /// Time from sending to the reply or the error.
        public var latency: Duration

        /// Creates a call record.
        public init(
            request: LMRequest, replies: [String], toolCalls: [Value] = [], cached: Bool = false,
            error: String? = nil, latency: Duration = .zero
        ) {
            self.request = request
            self.replies = replies
            self.toolCalls = toolCalls
            self.cached = cached
            self.error = error
            self.latency = latency
        }
    }

    private struct State {
        var calls: [Call] = []
        var fallbacks: [String] = []
    }

    private let state = Mutex(State())

    /// The log calls of the current task are recorded in, if one is open.
    @TaskLocal public static var current: LMCallLog?

    /// Creates an empty log.
    public init() {}

    /// Records a call.
    public func record(_ call: Call) {
        state.withLock { $0.calls.append(call) }
    }

    /// Records that an adapter's reply did not parse and another adapter was tried (`ChatAdapter` → `JSONAdapter`).
    public func recordFallback(_ description: String) {
        state.withLock { $0.fallbacks.append(description) }
    }

    /// The calls so far, in the order they finished.
    public var entries: [Call] { state.withLock { $0.calls } }

    /// The adapter fallbacks so far, in order.
    public var fallbacks: [String] { state.withLock { $0.fallbacks } }
}

/// Runs `body` with a fresh ``LMCallLog`` and returns its outcome — success or failure — with the log, so that the
/// calls of a failed body are kept too.
public func withLMCallLog<R>(_ body: () async throws -> R) async -> (Result<R, any Error>, LMCallLog) {
    let log = LMCallLog()
    do {
        return (.success(try await LMCallLog.$current.withValue(log) { try await body() }), log)
    } catch {
        return (.failure(error), log)
    }
}

extension LMCallLog.Call {
    /// The call as stored (``ExampleStageRecord/calls``): `request` (the body sent), `replies`, `cached`,
    /// `latency_ms`, and `error` / `tool_calls` when there are any.
    public var storedValue: Value { storedValue(textLimit: nil) }

    /// Like ``storedValue``, with every message and reply longer than `textLimit` characters cut there (see
    /// ``String/keptText(limit:)``), so that one huge prompt or reply cannot grow the store without bound.
    public func storedValue(textLimit: Int?) -> Value {
        var body = request.body
        if let textLimit, case .object(var object) = body, case .array(let messages)? = object["messages"] {
            object["messages"] = .array(
                messages.map { message in
                    guard case .object(var fields) = message, let content = fields["content"]?.stringValue else {
                        return message
                    }
                    fields["content"] = .string(content.keptText(limit: textLimit))
                    return .object(fields)
                })
            body = .object(object)
        }
        let kept = textLimit.map { limit in replies.map { $0.keptText(limit: limit) } } ?? replies
        var object: OrderedDictionary<String, Value> = [
            "request": body, "replies": .array(kept.map(Value.string)), "cached": .bool(cached),
            "latency_ms": .double((latency.milliseconds * 1000).rounded() / 1000),
        ]
        if !toolCalls.isEmpty { object["tool_calls"] = .array(toolCalls) }
        if let error { object["error"] = .string(error) }
        return .object(object)
    }
}

extension LMCallLog.Call {
    /// ``storedValue(textLimit:)`` as compact JSON text. When no text needs cutting — nearly always — the request
    /// is written as it was sent (``LMRequest/bodyJSON``), without building a `Value` tree of its messages: this
    /// runs once per stage and example of an evaluation that keeps its prompts.
    public func storedJSON(textLimit: Int) -> String {
        let fits =
            request.messages.allSatisfy { $0.content.utf8.count <= textLimit }
            && replies.allSatisfy { $0.utf8.count <= textLimit }
        guard fits else { return storedValue(textLimit: textLimit).jsonString() }
        var json = #"{"request":"# + String(decoding: request.bodyJSON, as: UTF8.self)
        json += #","replies":"# + Value.array(replies.map(Value.string)).jsonString()
        json += #","cached":"# + (cached ? "true" : "false")
        json += #","latency_ms":"# + Value.double((latency.milliseconds * 1000).rounded() / 1000).jsonString()
        if !toolCalls.isEmpty { json += #","tool_calls":"# + Value.array(toolCalls).jsonString() }
        if let error { json += #","error":"# + Value.string(error).jsonString() }
        return json + "}"
    }
}

extension String {
    /// The text, or its first `limit` characters and a note of how many were left out when it is longer.
    public func keptText(limit: Int) -> String {
        // The UTF-8 length bounds the character count from above: most texts are settled without counting.
        guard utf8.count > limit, count > limit else { return self }
        return String(prefix(max(0, limit))) + "… [\(count - max(0, limit)) more characters not kept]"
    }
}
