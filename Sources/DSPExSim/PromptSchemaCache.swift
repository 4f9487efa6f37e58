import Synchronization

/// Remembers the ``PromptSchema`` of recently seen system messages.
///
/// A DSPy program sends the same system message for every example of a predictor, so
/// parsing it once and looking it up afterwards keeps the hot path cheap. The cache is
/// bounded: when it holds ``capacity`` entries it is cleared and refilled.
final class PromptSchemaCache: Sendable {
    let capacity: Int
    private let entries = Mutex<[String: PromptSchema]>([:])

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    /// The schema of `system`, parsed on first sight.
    func schema(for system: String) -> PromptSchema {
        if let cached = self.entries.withLock({ $0[system] }) {
            return cached
        }
        let schema = PromptSchema(system: system)
        self.entries.withLock { entries in
            if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[system] = schema
        }
        return schema
    }
}
