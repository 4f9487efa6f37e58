/// Starts a ``SimulatorServer``, runs `body` with it, and always shuts it down.
///
/// ```swift
/// let reply = try await withSimulator { server in
///     try await myClient.complete(baseURL: server.baseURL, prompt: "What is 2 + 3?")
/// }
/// ```
///
/// - Parameters:
///   - configuration: The server's options; by default a free port on 127.0.0.1, no latency, no faults.
///   - body: The work to do while the server runs.
/// - Returns: What `body` returns.
public func withSimulator<R>(
    _ configuration: SimulatorConfiguration = .init(),
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SimulatorServer) async throws -> R
) async throws -> R {
    let server = SimulatorServer(configuration: configuration)
    try await server.start()
    let result: R
    do {
        result = try await body(server)
    } catch {
        try? await server.shutdown()
        throw error
    }
    try await server.shutdown()
    return result
}
