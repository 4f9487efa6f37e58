import Foundation

/// Runs a program (the `dspex` binary, a script) as a child process, as a user would, and waits for it without
/// blocking a thread of the cooperative pool that other tests — and in-process simulators — need.
///
/// ```swift
/// let output = try await ChildProcess.run(ChildProcess.dspex, ["--version"])
/// #expect(output.status == 0)
/// ```
public enum ChildProcess {
    /// What the child printed and how it exited.
    public struct Output: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var stdout: String
        /// Standard error.
        public var stderr: String
    }

    /// The `dspex` binary built next to the test bundle.
    public static var dspex: URL {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundle, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("dspex")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return bundle.appendingPathComponent("dspex")
    }

    /// Runs `executable` with `arguments` in `directory`; terminates it after `timeout` seconds.
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, timeout: Double = 120
    ) async throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let stdout = PipeReader(out.fileHandleForReading)
        let stderr = PipeReader(err.fileHandleForReading)
        try await waitForExit(process, timeout: timeout)
        return Output(status: process.terminationStatus, stdout: stdout.text(), stderr: stderr.text())
    }

    /// Starts `process` (unless `start` is false: it already runs) and waits for it to exit without blocking a
    /// thread; terminates it after `timeout` seconds.
    public static func waitForExit(_ process: Process, timeout: Double, start: Bool = true) async throws {
        nonisolated(unsafe) let process = process
        let exited = ExitSignal()
        process.terminationHandler = { _ in exited.signal() }
        if start { try await ProcessLaunch.run(process) }
        if !process.isRunning { exited.signal() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await exited.wait() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                if process.isRunning { process.terminate() }
                await exited.wait()
            }
            try await group.next()
            group.cancelAll()
        }
        process.waitUntilExit()
    }
}

/// A one-shot signal that can be awaited.
public final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Fires the signal, resuming every waiter.
    public func signal() {
        let pending = lock.withLock {
            fired = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in pending { waiter.resume() }
    }

    /// Returns once the signal has fired.
    public func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = lock.withLock {
                if fired { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

/// Drains a pipe on its own thread so a chatty child never blocks on a full pipe.
public final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading `handle` to its end.
    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.withLock { data = all }
            done.signal()
        }
    }

    /// What was read, once the pipe has closed (waiting at most 5 seconds).
    public func text() -> String {
        _ = done.wait(timeout: .now() + 5)
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}
