import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn` — the one helper the CLI (detached workers) and the tests (processes
/// killed and resumed) share: its standard output and error captured, waited for without holding a thread of the
/// cooperative pool; or started detached, in a session of its own, writing to a log.
///
/// Not swift-subprocess 1.0.2 either: it cannot start a child in a new session with its output appended to a file
/// and then let it go (it waits for every child it starts), which a detached worker needs.
///
/// Not Foundation's `Process`: on Linux its `run()` reads past a buffer while listing `/proc/self/fd`
/// (swift-corelibs-foundation PR #5472, not in Swift 6.3.1) and crashed test runs that keep many sockets open.
/// The child gets standard input from /dev/null and no other descriptor of the test process.
///
/// ```swift
/// let child = try SpawnedProcess.start(ChildProcess.dspex, ["eval", ...])
/// child.send(SIGKILL)
/// #expect(await child.wait(timeout: 10) == .signalled(SIGKILL))
/// ```
public final class SpawnedProcess: Sendable {
    /// How a child ended.
    public enum Termination: Sendable, Equatable {
        /// It exited with this status.
        case exited(Int32)
        /// A signal ended it.
        case signalled(Int32)
    }

    /// The child's process id.
    public let pid: pid_t
    private let termination = Mutex<Termination?>(nil)
    private let exited = ExitSignal()
    private let output: PipeReader?
    private let errors: PipeReader
    /// The write end of the child's standard input and the read end of its standard output, for a child started
    /// with ``startConnected(_:_:environment:)``; the caller owns and closes them.
    public let connection: (input: Int32, output: Int32)?

    private init(pid: pid_t, output: PipeReader?, errors: PipeReader, connection: (input: Int32, output: Int32)?) {
        self.pid = pid
        self.output = output
        self.errors = errors
        self.connection = connection
    }

    /// Starts `executable` with `arguments`, in `directory` when given, with this process's environment changed by
    /// `environment` (a `nil` value removes a variable).
    ///
    /// - Throws: ``SpawnError`` when the child cannot be started.
    public static func start(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:]
    ) throws -> SpawnedProcess {
        try spawn(executable, arguments, in: directory, environment: environment, connected: false)
    }

    /// Starts `executable` with its standard input and output connected to this process through
    /// ``connection`` (a JSON-RPC peer such as an MCP server speaks over them); standard error is captured.
    ///
    /// - Throws: ``SpawnError`` when the child cannot be started.
    public static func startConnected(
        _ executable: URL, _ arguments: [String], environment: [String: String?] = [:]
    ) throws -> SpawnedProcess {
        try spawn(executable, arguments, in: nil, environment: environment, connected: true)
    }

    private static func spawn(
        _ executable: URL, _ arguments: [String], in directory: URL?, environment: [String: String?], connected: Bool
    ) throws -> SpawnedProcess {
        var inPipe: [Int32] = [-1, -1]
        if connected {
            guard pipe(&inPipe) == 0 else { throw SpawnError(message: "pipe: \(String(cString: strerror(errno)))") }
            for descriptor in inPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        }
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw SpawnError(message: "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw SpawnError(message: "pipe: \(String(cString: strerror(errno)))")
        }
        // Close-on-exec, so no other child started meanwhile keeps a write end (and these readers from their end).
        for descriptor in outPipe + errPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        if directory != nil, changeDirectory == nil {
            throw SpawnError(message: "this C library cannot start a child in another directory")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if connected {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        _ = closeFrom?(&actions, 3)
        if let directory { _ = changeDirectory?(&actions, directory.path) }
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let envp = variables.map { strdup("\($0)=\($1)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes, flags: 0)
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        if connected { close(inPipe[0]) }
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            if connected { close(inPipe[1]) }
            throw SpawnError(message: "could not start \(executable.path): \(String(cString: strerror(status)))")
        }
        let child = SpawnedProcess(
            pid: pid, output: connected ? nil : PipeReader(descriptor: outPipe[0]),
            errors: PipeReader(descriptor: errPipe[0]), connection: connected ? (inPipe[1], outPipe[0]) : nil)
        // One thread per child blocks in waitpid (which also reaps it) and records how it ended.
        Thread.detachNewThread { [child] in
            var raw: Int32 = 0
            while waitpid(child.pid, &raw, 0) == -1, errno == EINTR {}
            let signal = raw & 0x7F
            let ended: Termination = signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
            child.termination.withLock { $0 = ended }
            child.exited.signal()
        }
        return child
    }

    /// Starts `executable` with `arguments` detached: in a session of its own (it outlives the terminal and this
    /// process), standard input from /dev/null, standard output and error appended to `log`, no other descriptor of
    /// this process. It is not waited for; ``isAlive(_:)`` tells whether it still runs.
    ///
    /// - Returns: The child's process id.
    /// - Throws: ``SpawnError`` when it cannot be started.
    public static func startDetached(_ executable: URL, _ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = closeFrom?(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        resetSignals(&attributes, flags: setSessionFlag)
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable.path, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw SpawnError(message: "could not start \(executable.path): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Whether a process with this id exists.
    public static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// This executable (`/proc/self/exe`), to start it again.
    public static var currentExecutable: URL {
        URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
    }

    /// Starts the child with every signal at its default action and none blocked, whatever this process ignores or
    /// blocks: a parent that ignores SIGINT (a command handling Ctrl-C itself, a shell's background job) must not
    /// start children that Ctrl-C or `dspex cancel` cannot stop.
    private static func resetSignals(_ attributes: inout posix_spawnattr_t, flags: Int16) {
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, flags | setSignalDefaultsFlag | setSignalMaskFlag)
    }

    /// `POSIX_SPAWN_SETSIGDEF` and `POSIX_SPAWN_SETSIGMASK` (glibc's values).
    private static let setSignalDefaultsFlag: Int16 = 0x04
    private static let setSignalMaskFlag: Int16 = 0x08

    /// `POSIX_SPAWN_SETSID` (glibc's value; not exported to Swift).
    private static let setSessionFlag: Int16 = 0x80

    /// Whether the child has not ended yet.
    public var isRunning: Bool { termination.withLock { $0 == nil } }

    /// Sends `signal` to the child (nothing once it has ended and been reaped).
    public func send(_ signal: Int32) {
        guard isRunning else { return }
        kill(pid, signal)
    }

    /// Waits for the child to end by itself, however long that takes; `nil` when the waiting task is cancelled first.
    public func waitForExit() async -> Termination? {
        await exited.wait()
        return termination.withLock { $0 }
    }

    /// Waits for the child to end; after `timeout` seconds it is sent SIGTERM, then SIGKILL 5 seconds later.
    public func wait(timeout: Double) async -> Termination {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.exited.wait() }
            group.addTask {
                do {
                    try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                    self.send(SIGTERM)
                    try await Task.sleep(for: .seconds(5))
                    self.send(SIGKILL)
                } catch {}
            }
            await group.next()
            group.cancelAll()
        }
        await exited.wait()
        return termination.withLock { $0 } ?? .signalled(SIGKILL)
    }

    /// Standard output, once the child has closed it (waiting at most 5 seconds).
    public var stdout: String { output?.text() ?? "" }

    /// Standard error, once the child has closed it (waiting at most 5 seconds).
    public var stderr: String { errors.text() }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), not exported to Swift.
    private static let closeFrom: CloseFrom? =
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: CloseFrom.self) }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), not exported to Swift.
    private static let changeDirectory: ChangeDirectory? =
        dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: ChangeDirectory.self) }
}

/// A child process that could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
