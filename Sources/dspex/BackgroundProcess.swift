import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts this executable again in the background, in a session of its own (it outlives the terminal and the
/// parent), with standard input from /dev/null and its output appended to a log file.
enum BackgroundProcess {
    /// `POSIX_SPAWN_SETSID` (glibc's value; not exported to Swift).
    private static let setSessionFlag: Int16 = 0x80

    /// Spawns `arguments` (without the program name) detached; returns the child's process id.
    static func spawn(arguments: [String], log: String) throws -> pid_t {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        closeInheritedDescriptorsOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, setSessionFlag)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw BackgroundProcessError(
                message: "could not start the background process: \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Marks every open descriptor above standard error close-on-exec, so the background process holds no pipe
    /// of whoever started this one (a caller reading this process's output until end of file would wait for it).
    private static func closeInheritedDescriptorsOnExec() {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors.compactMap(Int32.init) where descriptor > 2 {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
    }

    /// Whether a process with this id exists.
    static func isAlive(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}

/// A background process that could not be started.
struct BackgroundProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
