import Testing

@testable import DSPExSim

@Suite(.timeLimit(.minutes(3)))
struct SimulatorServerTests {
    @Test("start binds a free port on loopback and baseURL points at /v1")
    func startAndStop() async throws {
        let server = SimulatorServer(configuration: .init())
        #expect(server.port == 0)
        try await server.start()
        #expect(server.port > 0)
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)/v1")
        try await server.shutdown()
        try await server.shutdown()
        await #expect(throws: (any Error).self) {
            _ = try await TestHTTPConnection.connect(port: server.port)
        }
    }

    @Test("starting twice or after shutdown throws")
    func startTwice() async throws {
        let server = SimulatorServer()
        try await server.start()
        await #expect(throws: SimulatorError.self) { try await server.start() }
        try await server.shutdown()
        let error = await #expect(throws: SimulatorError.self) { try await server.start() }
        #expect(error?.code == .alreadyShutDown)
    }

    @Test("withSimulator shuts the server down when the body throws")
    func scopedShutdown() async throws {
        struct Boom: Error {}
        var port = 0
        await #expect(throws: Boom.self) {
            try await withSimulator { server in
                port = server.port
                throw Boom()
            }
        }
        #expect(port > 0)
        await #expect(throws: (any Error).self) {
            _ = try await TestHTTPConnection.connect(port: port)
        }
    }

    @Test("binding a port in use fails with bindFailed")
    func bindFailure() async throws {
        try await withSimulator { server in
            var configuration = SimulatorConfiguration()
            configuration.port = server.port
            let second = SimulatorServer(configuration: configuration)
            let error = await #expect(throws: SimulatorError.self) { try await second.start() }
            #expect(error?.code == .bindFailed)
            try await second.shutdown()
        }
    }

    @Test("the lifecycle state machine orders start, bind and shutdown")
    func stateMachine() throws {
        var machine = SimulatorServerStateMachine<String>()
        #expect(machine.startRequested() == .bind)
        guard case .fail(let error) = machine.startRequested() else {
            Issue.record("a second start must fail")
            return
        }
        #expect(error.code == .alreadyStarted)
        guard case .none = machine.bound("listener", port: 1234) else {
            Issue.record("binding while starting must succeed")
            return
        }
        #expect(machine.port == 1234)
        guard case .release("listener") = machine.shutdownRequested() else {
            Issue.record("shutting down a running server must close it")
            return
        }
        guard case .none = machine.shutdownRequested() else {
            Issue.record("a second shutdown must do nothing")
            return
        }

        var interrupted = SimulatorServerStateMachine<String>()
        _ = interrupted.startRequested()
        guard case .none = interrupted.shutdownRequested() else {
            Issue.record("shutdown while starting waits for the bind")
            return
        }
        guard case .releaseAndFail("late") = interrupted.bound("late", port: 1) else {
            Issue.record("a bind after a shutdown request must be closed")
            return
        }
    }
}
