import Synchronization

/// Single flight for identical requests: while a call with a cache key is in flight, a second caller with the same
/// key waits for it instead of calling the model, and gets its reply (marked ``LMResponse/cached``: it cost nothing).
///
/// The leader's failure is shared with the waiters, except a cancellation: then the waiters try again (one of them
/// leads), and a waiter's own cancellation makes only that waiter throw. Requests that differ — another rollout id,
/// another temperature — have different keys and are never coalesced.
///
/// ```swift
/// let reply = try await coalescer.coalesce(key) { attempt in
///     try await callTheModel()   // attempt > 0: a leader before this one was cancelled
/// }
/// ```
final class RequestCoalescer: Sendable {
    private enum Outcome: Sendable {
        case response(LMResponse)
        case failure(any Error)
        case retry
    }

    private typealias Machine = RequestCoalescerStateMachine<CheckedContinuation<Outcome, Never>>
    private let state = Mutex(Machine())

    /// How many keys have a call in flight.
    var inFlight: Int { state.withLock { $0.inFlight } }

    /// How many callers wait for the call of `key`.
    func waiting(for key: String) -> Int { state.withLock { $0.waiting(for: key) } }

    /// The reply for `key`: from `call` when no identical call is in flight, else the in-flight call's.
    ///
    /// - Parameter call: Makes the call; its argument counts the earlier leaders that were cancelled (a leader after
    ///   one should look at the cache first: the reply may have been stored meanwhile).
    func coalesce(_ key: String, _ call: (Int) async throws -> LMResponse) async throws -> LMResponse {
        var attempt = 0
        while true {
            switch state.withLock({ $0.join(key) }) {
            case .lead:
                let result: Result<LMResponse, any Error>
                do {
                    result = .success(try await call(attempt))
                } catch {
                    result = .failure(error)
                }
                let waiters = state.withLock { $0.finish(key) }
                let outcome: Outcome
                switch result {
                case .success(let response): outcome = .response(response)
                case .failure(let error) where Self.isCancellation(error): outcome = .retry
                case .failure(let error): outcome = .failure(error)
                }
                for waiter in waiters { waiter.resume(returning: outcome) }
                return try result.get()
            case .wait(let id):
                let outcome = await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                        let registered = state.withLock { $0.register(continuation, id: id, for: key) }
                        if !registered { continuation.resume(returning: .retry) }
                    }
                } onCancel: {
                    state.withLock { $0.cancel(id: id, for: key) }?.resume(returning: .retry)
                }
                try Task.checkCancellation()
                switch outcome {
                case .response(var response):
                    response.cached = true
                    return response
                case .failure(let error):
                    throw error
                case .retry:
                    attempt += 1
                }
            }
        }
    }

    private static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || (error as? LMError)?.code == .cancelled
    }
}
