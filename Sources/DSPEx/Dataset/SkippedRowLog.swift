import Synchronization

/// The rows a ``DatasetRows`` sequence skipped under ``BadRowPolicy/skip``, shared between the sequence and
/// its iterators so the caller can read it while or after iterating.
///
/// Keeps the first ``DatasetRows/maximumReportedSkips`` errors and counts all of them, so a file of nothing
/// but bad rows does not fill memory.
final class SkippedRowLog: Sendable {
    private struct State {
        var count = 0
        var errors: [DatasetError] = []
    }

    private let state = Mutex(State())

    func record(_ error: DatasetError) {
        state.withLock { state in
            state.count += 1
            if state.errors.count < DatasetRows.maximumReportedSkips { state.errors.append(error) }
        }
    }

    var count: Int { state.withLock { $0.count } }

    var errors: [DatasetError] { state.withLock { $0.errors } }
}
