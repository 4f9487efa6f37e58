import Synchronization

/// The simulator's shared, thread-safe bookkeeping: stats, the request log, and the arrival
/// counter that makes fault injection and sampled latency depend on request order only.
///
/// Every event-loop thread records into it; each call takes the lock once and does a few
/// integer updates, so it is cheap on the hot path.
final class SimulatorRecorder: Sendable {
    private struct State {
        var stats = SimulatorStats()
        var log: RequestLog
        var nextIndex = 0
    }

    private let state: Mutex<State>

    init(requestLogLimit: Int) {
        self.state = Mutex(State(log: RequestLog(limit: requestLogLimit)))
    }

    /// Counts an HTTP request to `path`.
    func countPath(_ path: String) {
        self.state.withLock { $0.stats.byPath[path, default: 0] += 1 }
    }

    /// Admits a valid chat-completion request: counts it and its path, gives it the next arrival index,
    /// asks `decideFault` whether it fails, and logs its final user message.
    func admitChatRequest(
        path: String,
        userMessage: String,
        fingerprint: String,
        temperature: Double? = nil,
        maxTokens: Int? = nil,
        decideFault: (Int) -> FaultKind?
    ) -> (index: Int, fault: FaultKind?) {
        self.state.withLock { state in
            let index = state.nextIndex
            state.nextIndex += 1
            let fault = decideFault(index)
            state.stats.byPath[path, default: 0] += 1
            state.stats.requests += 1
            if let fault {
                state.stats.faults[fault.name, default: 0] += 1
            }
            state.log.append(
                SimulatorRequestRecord(
                    index: index, userMessage: userMessage, fault: fault?.name, fingerprint: fingerprint,
                    temperature: temperature, maxTokens: maxTokens))
            return (index, fault)
        }
    }

    /// Counts a chat-completion request rejected with 400.
    func recordBadRequest(path: String) {
        self.state.withLock { state in
            state.stats.byPath[path, default: 0] += 1
            state.stats.requests += 1
            state.stats.badRequests += 1
        }
    }

    /// Counts a chat-completion request refused with 401 (missing or wrong API key).
    func recordUnauthorized(path: String) {
        self.state.withLock { state in
            state.stats.byPath[path, default: 0] += 1
            state.stats.requests += 1
            state.stats.unauthorized += 1
        }
    }

    /// Counts a chat completion answered with 200.
    func recordCompletion(promptTokens: Int, completionTokens: Int) {
        self.state.withLock { state in
            state.stats.completions += 1
            state.stats.promptTokens += promptTokens
            state.stats.completionTokens += completionTokens
        }
    }

    /// The current stats.
    func stats() -> SimulatorStats {
        self.state.withLock { $0.stats }
    }

    /// The logged requests, oldest first.
    func records() -> [SimulatorRequestRecord] {
        self.state.withLock { $0.log.records }
    }

    /// Zeroes the stats, empties the log and restarts arrival indices at 0.
    func reset() {
        self.state.withLock { state in
            state.stats = SimulatorStats()
            state.log.removeAll()
            state.nextIndex = 0
        }
    }
}
