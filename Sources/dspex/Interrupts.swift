import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM as an async sequence, so a command can stop its run cleanly instead of dying.
enum Interrupts {
    /// Yields once per signal received; installing it replaces the default action (termination).
    static func signals() -> AsyncStream<Int32> {
        AsyncStream { continuation in
            var sources: [any DispatchSourceSignal] = []
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                sources.append(source)
            }
            nonisolated(unsafe) let installed = sources
            continuation.onTermination = { _ in
                for source in installed { source.cancel() }
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
            }
        }
    }

    /// Runs `work`; on the first signal it cancels `work` and waits for it to wind down, returning what it
    /// returns then (a cancelled run still reports what finished).
    static func cancellingOnSignal<R: Sendable>(_ work: @escaping @Sendable () async throws -> R) async throws -> R {
        // Installed before the work starts, so a signal that comes as soon as it starts is not missed.
        let received = signals()
        return try await withThrowingTaskGroup(of: InterruptOutcome<R>.self) { group in
            group.addTask { .finished(try await work()) }
            group.addTask {
                for await _ in received { return .interrupted }
                return .interrupted
            }
            while let outcome = try await group.next() {
                switch outcome {
                case .finished(let result):
                    group.cancelAll()
                    return result
                case .interrupted:
                    if Task.isCancelled { continue }
                    Console.error("interrupted: finishing what is in flight…")
                    group.cancelAll()
                }
            }
            throw CancellationError()
        }
    }
}

/// How the race between a command's work and a signal ended.
enum InterruptOutcome<R: Sendable>: Sendable {
    case finished(R)
    case interrupted
}
