import DSPExTesting
import Foundation

/// Runs the built `dspex` executable as a child process, as a user would.
///
/// Waiting is asynchronous (a termination handler), so tests running child processes never block the
/// cooperative thread pool that other tests — and in-process simulators — need.
struct CLIProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `dspex` binary next to the test bundle.
    static var executable: URL {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundle, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("dspex")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return bundle.appendingPathComponent("dspex")
    }

    /// Runs `dspex` with `arguments` and waits (at most `timeout` seconds) for it to exit.
    static func run(_ arguments: [String], timeout: Double = 90) async throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let outData = ReadBox(out.fileHandleForReading)
        let errData = ReadBox(err.fileHandleForReading)
        try await waitForExit(process, timeout: timeout)
        return Output(status: process.terminationStatus, stdout: outData.text(), stderr: errData.text())
    }

    /// Starts `process` (if not running) and waits for it to exit without blocking a thread; terminates it
    /// after `timeout` seconds.
    static func waitForExit(_ process: Process, timeout: Double, start: Bool = true) async throws {
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
final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func signal() {
        lock.lock()
        fired = true
        let pending = waiters
        waiters = []
        lock.unlock()
        for waiter in pending { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if fired {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append(continuation)
                lock.unlock()
            }
        }
    }
}

/// Drains a pipe on a background thread so a chatty child never blocks on a full pipe.
final class ReadBox: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.lock()
            data = all
            lock.unlock()
            done.signal()
        }
    }

    func text() -> String {
        _ = done.wait(timeout: .now() + 5)
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}
