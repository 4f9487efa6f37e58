import Synchronization

/// Adds up the usage of every predictor call made inside ``collect(_:)`` — for work done outside a
/// program's stages, such as an LM-judged metric, whose calls must still be counted and paid for — and
/// of every call a stage makes, so that a stage that fails after its calls still counts them.
///
/// A predictor reports its calls when it returns; an adapter attempt whose reply cannot be parsed
/// reports its call at once (the predictor may fail without returning).
final class UsageCollector: Sendable {
    /// The collector of the current task, if any.
    @TaskLocal static var current: UsageCollector?

    private let total = Mutex(Usage())

    /// The usage so far.
    var usage: Usage { total.withLock { $0 } }

    func add(_ usage: Usage) {
        total.withLock { $0 = $0 + usage }
    }

    /// The usage so far, and starts again from nothing.
    func take() -> Usage {
        total.withLock { total in
            defer { total = Usage() }
            return total
        }
    }

    /// Runs `body` and returns its result with the usage of the predictor calls it made.
    static func collect<R: Sendable>(_ body: () async throws -> R) async rethrows -> (R, Usage) {
        let collector = UsageCollector()
        let result = try await $current.withValue(collector) { try await body() }
        return (result, collector.usage)
    }
}
