import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `dspex sim` in its own process on a free loopback port: the external OpenAI-compatible server the
/// CLI scenarios talk to, so that the `dspex` process measured does only the client's work.
struct SimulatorProcess {
    let process: ChildProcess
    let port: Int

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Starts the simulator and returns once it accepts connections.
    init(dspex: String, latencyMilliseconds: Int) throws {
        port = try Self.freePort()
        process = try ChildProcess(
            dspex, ["sim", "--port", String(port), "--latency-ms", String(latencyMilliseconds)])
        let deadline = ContinuousClock.now + .seconds(20)
        while !Self.accepts(port: port) {
            guard ContinuousClock.now < deadline else {
                process.terminate(SIGKILL)
                throw BenchmarkError(message: "the simulator did not listen on port \(port) within 20 s")
            }
            usleep(20_000)
        }
    }

    /// Stops the simulator.
    func stop() {
        process.terminate(SIGTERM)
    }

    /// Runs `body` with a simulator that is stopped afterwards, whatever happens.
    static func with<R>(dspex: String, latencyMilliseconds: Int, _ body: (SimulatorProcess) throws -> R) throws -> R {
        let simulator = try SimulatorProcess(dspex: dspex, latencyMilliseconds: latencyMilliseconds)
        defer { simulator.stop() }
        return try body(simulator)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchmarkError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw BenchmarkError(message: "could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
