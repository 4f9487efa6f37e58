import Foundation

/// Runs the built `dspex` executable as a child process, as a user would.
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
    static func run(_ arguments: [String], environment: [String: String]? = nil, timeout: Double = 60) throws -> Output
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let outData = ReadBox(out.fileHandleForReading)
        let errData = ReadBox(err.fileHandleForReading)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: outData.text(), stderr: errData.text())
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
