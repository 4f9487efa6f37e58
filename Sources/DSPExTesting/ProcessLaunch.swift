import Dispatch
import Foundation

/// Starts child processes one at a time across the whole test process, off the cooperative thread pool.
///
/// swift-corelibs-foundation's `Process.run()` is not safe to call from several threads at once on Linux (a
/// concurrent first use of its shared launch state crashed a test run in `memcpy`), and it blocks its caller until
/// the child has started. Tests run in parallel on a pool of as many threads as cores, so launches go through one
/// serial dispatch queue and the calling task waits without holding a thread.
///
/// ```swift
/// let process = Process()
/// process.executableURL = URL(fileURLWithPath: "/bin/true")
/// try await ProcessLaunch.run(process)
/// ```
public enum ProcessLaunch {
    private static let queue = DispatchQueue(label: "DSPExTesting.ProcessLaunch")

    /// Starts `process` on the launch queue.
    public static func run(_ process: Process) async throws {
        nonisolated(unsafe) let process = process
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    try process.run()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
