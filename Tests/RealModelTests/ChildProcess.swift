import DSPExTesting
import Foundation

/// Runs a program (the `dspex` binary, `scripts/real-model.sh`) as a child process and waits for it
/// without blocking a thread of the cooperative pool, as `dspexTests` runs the CLI.
struct ChildProcess {
    /// What the child printed and how it exited.
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `dspex` binary built next to the test bundle.
    static var dspex: URL {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundle, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("dspex")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return bundle.appendingPathComponent("dspex")
    }

    /// Runs `executable` with `arguments` in `directory`; terminates it after `timeout` seconds.
    static func run(
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
        let exited = ExitSignal()
        process.terminationHandler = { _ in exited.signal() }
        try await ProcessLaunch.run(process)
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
        return Output(status: process.terminationStatus, stdout: stdout.text(), stderr: stderr.text())
    }
}

/// A one-shot signal that can be awaited.
final class ExitSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func signal() {
        let pending = lock.withLock {
            fired = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in pending { waiter.resume() }
    }

    func wait() async {
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
final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            let all = handle.readDataToEndOfFile()
            lock.withLock { data = all }
            done.signal()
        }
    }

    func text() -> String {
        _ = done.wait(timeout: .now() + 5)
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}
