import Foundation
import Synchronization

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

    /// Runs `executable` with `arguments` in `directory`, with this process's environment changed by `environment`;
    /// terminates it after `timeout` seconds.
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:],
        timeout: Double = 120
    ) async throws -> Output {
        let child = try SpawnedProcess.start(executable, arguments, in: directory, environment: environment)
        let status: Int32
        switch await child.wait(timeout: timeout) {
        case .exited(let code): status = code
        case .signalled(let signal): status = 128 + signal
        }
        return Output(status: status, stdout: child.stdout, stderr: child.stderr)
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
final class PipeReader: Sendable {
    private let data = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading `descriptor` to its end; the reader closes it.
    init(descriptor: Int32) {
        Thread.detachNewThread { [self] in
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            let all = handle.readDataToEndOfFile()
            data.withLock { $0 = all }
            done.signal()
        }
    }

    /// What was read, once the pipe has closed (waiting at most 5 seconds).
    func text() -> String {
        if done.wait(timeout: .now() + 5) == .success { done.signal() }
        return data.withLock { String(decoding: $0, as: UTF8.self) }
    }
}
