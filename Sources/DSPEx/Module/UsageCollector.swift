import Synchronization

/// Adds up the usage of every predictor call made inside ``collect(_:)`` — for work done outside a
/// program's stages, such as an LM-judged metric, whose calls must still be counted and paid for.
final class UsageCollector: Sendable {
    /// The collector of the current task, if any.
    @TaskLocal static var current: UsageCollector?

    private let total = Mutex(Usage())

    /// The usage so far.
    var usage: Usage { total.withLock { $0 } }

    func add(_ usage: Usage) {
        total.withLock { $0 = $0 + usage }
    }

    /// Runs `body` and returns its result with the usage of the predictor calls it made.
    static func collect<R: Sendable>(_ body: () async throws -> R) async rethrows -> (R, Usage) {
        let collector = UsageCollector()
        let result = try await $current.withValue(collector) { try await body() }
        return (result, collector.usage)
    }
}
