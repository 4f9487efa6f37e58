import Foundation

/// A one-shot signal that can be awaited.
public final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    /// A signal not yet fired.
    public init() {}

    /// Fires the signal, resuming every waiter.
    public func signal() {
        let pending = lock.withLock {
            fired = true
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for waiter in pending { waiter.resume() }
    }

    /// Returns once the signal has fired, or once the waiting task is cancelled.
    public func wait() async {
        let id = lock.withLock {
            defer { nextWaiter += 1 }
            return nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = lock.withLock {
                    if fired || Task.isCancelled { return true }
                    waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
