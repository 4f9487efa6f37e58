import Foundation

/// Starts child processes one at a time across the whole test process.
///
/// swift-corelibs-foundation's `Process.run()` is not safe to call from several threads at once on Linux (a
/// concurrent first use of its shared launch state crashed a test run in `memcpy`), and test suites run in
/// parallel: every test that starts a child process goes through here.
///
/// ```swift
/// let process = Process()
/// process.executableURL = URL(fileURLWithPath: "/bin/true")
/// try ProcessLaunch.run(process)
/// ```
public enum ProcessLaunch {
    private static let lock = NSLock()

    /// Starts `process` while holding the launch lock.
    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
