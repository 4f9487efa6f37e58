import DSPEx
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process started with `posix_spawn` and reaped with `wait4`, so its own CPU time and peak memory
/// (`getrusage` of that child only) are known — not the benchmark's, not the simulator's.
struct ChildProcess {
    /// What a finished child used.
    struct Usage {
        var status: Int32
        var wallSeconds: Double
        var userSeconds: Double
        var systemSeconds: Double
        /// Peak resident set size in bytes.
        var maxRSSBytes: Int

        var cpuSeconds: Double { userSeconds + systemSeconds }
        var maxRSSMegabytes: Double { Double(maxRSSBytes) / 1_000_000 }
    }

    let pid: pid_t
    let started: ContinuousClock.Instant
    let command: String

    /// Starts `executable` with `arguments`; standard output and error go to the given files (or /dev/null).
    init(_ executable: String, _ arguments: [String], stdout: String? = nil, stderr: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let clock = ContinuousClock.now
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else {
            throw BenchmarkError(message: "could not start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        self.started = clock
        command = ([executable] + arguments).joined(separator: " ")
    }

    /// Waits for the child to exit (blocking this thread) and returns its resource usage.
    ///
    /// The peak RSS is the child's own high-water mark (`VmHWM` in `/proc/PID/status`, sampled every 2 ms
    /// while it runs), not `ru_maxrss`: Linux folds the memory of the process that called `exec` into
    /// `ru_maxrss`, and `posix_spawn` execs from the harness's address space, so `ru_maxrss` would report
    /// the harness's size for a small child.
    func wait() -> Usage {
        let sampler = PeakMemorySampler(
            pid: pid, name: URL(fileURLWithPath: command.split(separator: " ")[0].description).lastPathComponent)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) == -1 && errno == EINTR {}
        let wall = (ContinuousClock.now - started).seconds
        let peak = sampler.stop()
        return Usage(
            status: status, wallSeconds: wall,
            userSeconds: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            systemSeconds: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            maxRSSBytes: peak)
    }

    /// Sends `signal` and reaps the child.
    @discardableResult
    func terminate(_ signal: Int32 = SIGTERM) -> Usage {
        kill(pid, signal)
        return wait()
    }

    /// CPU seconds the (running) child has used so far, from `/proc/PID/stat`.
    func cpuSecondsSoFar() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Runs a command to completion and fails unless it exits with status 0.
    static func run(_ executable: String, _ arguments: [String], stdout: String? = nil, stderr: String? = nil)
        throws -> Usage
    {
        let child = try ChildProcess(executable, arguments, stdout: stdout, stderr: stderr)
        let usage = child.wait()
        guard usage.status == 0 else {
            let detail = stderr.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            throw BenchmarkError(
                message: "\(child.command) exited with status \(usage.status)\n\(detail.suffix(2000))")
        }
        return usage
    }
}

/// Samples a child's `VmHWM` (its own peak resident set) on a background thread until stopped.
final class PeakMemorySampler: @unchecked Sendable {
    private let pid: pid_t
    private let name: String
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(pid: pid_t, name: String) {
        self.pid = pid
        self.name = String(name.prefix(15))  // the kernel's comm is 15 characters at most
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                sample()
                usleep(2_000)
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops sampling and returns the highest `VmHWM` seen, in bytes.
    func stop() -> Int {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { peak }
    }

    private func sample() {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return }
        var isChild = false
        var kilobytes = 0
        for line in status.split(separator: "\n") {
            if line.hasPrefix("Name:") { isChild = line.dropFirst(5).trimmingCharacters(in: .whitespaces) == name }
            if line.hasPrefix("VmHWM:") {
                kilobytes = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ")[0]) ?? 0
            }
        }
        // Before exec the child still shares the harness's address space: those samples are not its own.
        guard isChild else { return }
        lock.withLock { peak = max(peak, kilobytes * 1024) }
    }
}
