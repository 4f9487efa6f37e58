import Foundation
import Synchronization

/// The last N calls of a language model: what was asked, what came back, how long it took.
///
/// `dspex inspect` and ``OpenAICompatibleLM/history`` read it, like DSPy's `inspect_history`.
public final class LMHistory: Sendable {
    /// One recorded call.
    public struct Entry: Sendable, Hashable {
        /// When the call finished.
        public var date: Date
        /// The request sent.
        public var request: LMRequest
        /// The reply, or `nil` if the call failed.
        public var response: LMResponse?
        /// The error's description if the call failed.
        public var error: String?
        /// Time from the first attempt to the reply.
        public var latency: Duration
    }

    private let limit: Int
    private let entries: Mutex<[Entry]>

    /// Creates a history keeping the last `limit` calls (0 keeps none).
    public init(limit: Int = 100) {
        self.limit = max(0, limit)
        entries = Mutex([])
    }

    /// Records a call (the entry is not even built when the limit is 0).
    public func record(_ entry: @autoclosure () -> Entry) {
        guard limit > 0 else { return }
        let entry = entry()
        entries.withLock { entries in
            entries.append(entry)
            // Trimmed when twice the limit, so the shift is paid once per `limit` calls.
            if entries.count >= 2 * limit { entries.removeFirst(entries.count - limit) }
        }
    }

    /// The recorded calls, oldest first.
    public var all: [Entry] { entries.withLock { Array($0.suffix(limit)) } }

    /// The last `count` calls, oldest first.
    public func last(_ count: Int) -> [Entry] {
        entries.withLock { Array($0.suffix(min(count, limit))) }
    }
}
