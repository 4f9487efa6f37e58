import OrderedCollections
import Synchronization

/// Lets at most `limit` callers hold a permit at once; the others wait in FIFO order.
///
/// One limiter is shared by every stage that uses the same client, so a program never has more
/// requests in flight than the client allows. Waiting is cancellable.
final class ConcurrencyLimiter: Sendable {
    private struct State {
        var available: Int
        var nextWaiter = 0
        var waiters: OrderedDictionary<Int, CheckedContinuation<Void, any Error>> = [:]
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` holding a permit.
    func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    func acquire() async throws {
        let granted = state.withLock { state -> Bool in
            if state.available > 0 {
                state.available -= 1
                return true
            }
            return false
        }
        if granted { return }
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if state.available > 0 {
                        state.available -= 1
                        return .success(())
                    }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state in state.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if !state.waiters.isEmpty {
                return state.waiters.removeFirst().value
            }
            state.available += 1
            return nil
        }
        next?.resume()
    }
}
