/// The bookkeeping of ``RequestCoalescer``, without tasks: which keys have a call in flight and who waits for each.
///
/// Transitions return what the caller must do (lead the call, wait, resume waiters) and never resume anything
/// themselves, so the storage resumes continuations after releasing its lock.
struct RequestCoalescerStateMachine<Waiter> {
    /// A caller's place in line for a key.
    enum JoinAction: Equatable {
        /// No call with this key is in flight: make it.
        case lead
        /// A call with this key is in flight: wait for it, under this id.
        case wait(id: UInt64)
    }

    private var flights: [String: [UInt64: Waiter]] = [:]
    private var nextID: UInt64 = 0

    /// A caller arrives with `key`.
    mutating func join(_ key: String) -> JoinAction {
        guard flights[key] != nil else {
            flights[key] = [:]
            return .lead
        }
        nextID += 1
        return .wait(id: nextID)
    }

    /// The waiter `id` of `key` hands over its continuation; `false` when the flight has already ended (the caller
    /// tries again).
    mutating func register(_ waiter: Waiter, id: UInt64, for key: String) -> Bool {
        guard flights[key] != nil else { return false }
        flights[key]?[id] = waiter
        return true
    }

    /// The waiter `id` of `key` was cancelled: its continuation, if it was registered and not yet resumed.
    mutating func cancel(id: UInt64, for key: String) -> Waiter? {
        flights[key]?.removeValue(forKey: id)
    }

    /// The leader's call of `key` returned: the flight ends, and these waiters get its outcome.
    mutating func finish(_ key: String) -> [Waiter] {
        Array((flights.removeValue(forKey: key) ?? [:]).values)
    }

    /// How many keys have a call in flight.
    var inFlight: Int { flights.count }

    /// How many callers wait for the call of `key`.
    func waiting(for key: String) -> Int { flights[key]?.count ?? 0 }
}
