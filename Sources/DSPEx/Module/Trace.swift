import OrderedCollections
import Synchronization

/// One predictor call recorded while a trace is active: which predictor, what went in, what came out.
public struct TraceEntry: Sendable, Hashable {
    /// The predictor's name within its program.
    public var predictor: String
    /// The signature it ran with.
    public var signature: Signature
    /// Its inputs.
    public var inputs: OrderedDictionary<String, Value>
    /// Its outputs.
    public var outputs: OrderedDictionary<String, Value>
}

/// Collects the predictor calls made inside ``withTrace(_:)``, including calls from child tasks.
///
/// Bootstrapping optimizers run a program inside a trace and turn the entries of successful
/// runs into demos, without threading state through every call.
public final class Trace: Sendable {
    private let storage = Mutex<[TraceEntry]>([])

    /// The trace of the current task, if one is active.
    @TaskLocal public static var current: Trace?

    /// Creates an empty trace.
    public init() {}

    /// Adds an entry.
    public func record(_ entry: TraceEntry) {
        storage.withLock { $0.append(entry) }
    }

    /// The entries so far, in the order calls finished.
    public var entries: [TraceEntry] { storage.withLock { $0 } }
}

/// Runs `body` with a fresh trace and returns its result with every predictor call it made.
///
/// ```swift
/// let (prediction, trace) = try await withTrace { try await program(["question": "What is 2 + 3?"]) }
/// trace.map(\.predictor)   // ["predict"]
/// ```
public func withTrace<R: Sendable>(
    _ body: () async throws -> R
) async rethrows -> (R, [TraceEntry]) {
    let trace = Trace()
    let result = try await Trace.$current.withValue(trace) { try await body() }
    return (result, trace.entries)
}
