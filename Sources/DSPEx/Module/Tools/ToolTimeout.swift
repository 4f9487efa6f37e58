import Synchronization

/// Runs a tool call against a deadline: the first of the call and the timer to finish wins. The loser is cancelled
/// and left to end on its own, so a call that ignores cancellation (a server that never answers) cannot hold the
/// agent.
enum ToolTimeout {
    static func run(_ tool: some Tool, _ arguments: ToolArguments, within timeout: Duration) async throws -> Value {
        let name = tool.name
        return try await first(within: timeout) {
            try await tool.call(arguments)
        } timedOut: {
            ToolError(code: .timedOut, tool: name, message: "the call took longer than its timeout of \(timeout)")
        }
    }

    /// The result of `body`, or `timedOut()` thrown when `timeout` passes first, or the error `interrupted` returns
    /// when it returns first.
    static func first<T: Sendable>(
        within timeout: Duration, interrupted: (@Sendable () async -> (any Error)?)? = nil,
        _ body: @escaping @Sendable () async throws -> T, timedOut: @escaping @Sendable () -> any Error
    ) async throws -> T {
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.begin(continuation)
                race.add(Task { race.settle(await Result(catching: body)) })
                race.add(
                    Task {
                        try? await Task.sleep(for: timeout)
                        race.settle(.failure(timedOut()))
                    })
                if let interrupted {
                    race.add(Task { if let error = await interrupted() { race.settle(.failure(error)) } })
                }
            }
        } onCancel: {
            race.settle(.failure(CancellationError()))
        }
    }

    /// The first result of several tasks, delivered once; the others are cancelled.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var early: Result<T, any Error>?
            var tasks: [Task<Void, Never>] = []
            var done = false
        }
        private let state = Mutex(State())

        func begin(_ continuation: CheckedContinuation<T, any Error>) {
            let early = state.withLock { state -> Result<T, any Error>? in
                state.continuation = continuation
                return state.early
            }
            if let early { continuation.resume(with: early) }
        }

        func add(_ task: Task<Void, Never>) {
            let cancel = state.withLock { state in
                state.tasks.append(task)
                return state.done
            }
            if cancel { task.cancel() }
        }

        func settle(_ result: Result<T, any Error>) {
            let (continuation, tasks) = state.withLock {
                state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
                guard !state.done else { return (nil, []) }
                state.done = true
                guard let continuation = state.continuation else {
                    state.early = result
                    return (nil, state.tasks)
                }
                state.continuation = nil
                return (continuation, state.tasks)
            }
            continuation?.resume(with: result)
            for task in tasks { task.cancel() }
        }
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
