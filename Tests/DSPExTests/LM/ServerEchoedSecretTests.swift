import DSPEx
import DSPExTesting
import Foundation
import Testing

/// The LM client against servers that send the key back: nothing they send carries it into the program.
@Suite(.timeLimit(.minutes(3)))
struct ServerEchoedSecretTests {
    static let key = "sk-hostile-\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"

    static func client(_ server: HostileServer, transport: OpenAICompatibleLM.Transport = .automatic)
        -> OpenAICompatibleLM
    {
        OpenAICompatibleLM(
            .init(
                model: "hostile", baseURL: server.baseURL, apiKeyEnvironmentVariable: "HOSTILE_KEY",
                retry: .exponential(maxAttempts: 3, baseDelay: .milliseconds(1)), cache: nil, transport: transport),
            environment: ["HOSTILE_KEY": key])
    }

    static let request = LMRequest(
        model: "hostile", messages: [.system("Your output fields are:\n1. `answer` (str): the answer"), .user("hi")])

    @Test(
        "a 401 echoing the key is an authentication error without the key that names the variable; no call follows",
        arguments: OpenAICompatibleLM.Transport.allCases)
    func refusedKey(transport: OpenAICompatibleLM.Transport) async throws {
        try await HostileServer.with(.echoInErrorBody) { server in
            let lm = Self.client(server, transport: transport)
            for _ in 0..<3 {
                do {
                    _ = try await lm.complete(Self.request)
                    Issue.record("should fail")
                } catch let error as LMError {
                    #expect(error.code == .authentication)
                    #expect(error.isRunFatal && error.stopsRun && !error.isRetryable)
                    #expect(error.status == 401)
                    #expect(!error.description.contains(Self.key))
                    #expect(error.description.contains("HOSTILE_KEY"))
                    #expect(error.description.contains("Bearer [REDACTED]"))
                }
            }
            #expect(server.requests == 1)
            #expect(!lm.history.all.map { "\($0)" }.joined().contains(Self.key))
            try await lm.shutdown()
        }
    }

    @Test("a 403 and a 404 stop the run with what to fix: the key's permission, the model's name")
    func forbiddenAndUnknownModel() async throws {
        try await HostileServer.with(.forbidden) { server in
            let lm = Self.client(server)
            await #expect(throws: LMError.self) { try await lm.complete(Self.request) }
            do { _ = try await lm.complete(Self.request) } catch let error as LMError {
                #expect(error.code == .authentication && error.status == 403)
                #expect(error.description.contains("'hostile'") && !error.description.contains(Self.key))
            }
            #expect(server.requests == 1)
            try await lm.shutdown()
        }
        try await HostileServer.with(.unknownModel) { server in
            let lm = Self.client(server)
            do {
                _ = try await lm.complete(Self.request)
                Issue.record("should fail")
            } catch let error as LMError {
                #expect(error.code == .unknownModel && error.isRunFatal)
                #expect(error.description.contains("does not serve model 'hostile'"))
                #expect(!error.description.contains(Self.key))
            }
            try await lm.shutdown()
        }
    }

    @Test("a reply, an event stream and headers that quote the key reach the program without it")
    func replies() async throws {
        for behaviour in [HostileServer.Behaviour.echoInReply, .echoInEventStream, .echoInHeader] {
            try await HostileServer.with(behaviour) { server in
                let lm = Self.client(server)
                let reply = try await lm.complete(Self.request)
                #expect(!reply.text.contains(Self.key), "\(behaviour)")
                #expect(!reply.text.contains(String(Self.key.dropFirst(11).prefix(10))), "\(behaviour)")
                #expect(reply.text.hasPrefix("[[ ## answer ## ]]"), "\(behaviour): \(reply.text)")
                if behaviour != .echoInHeader { #expect(reply.text.contains("Bearer [REDACTED]"), "\(behaviour)") }
                try await lm.shutdown()
            }
        }
    }

    @Test("a password in the base URL is neither shown in messages nor left in what the server sends back")
    func passwordInURL() async throws {
        try await HostileServer.with(.echoInErrorBody) { server in
            let url = server.baseURL.replacingOccurrences(of: "http://", with: "http://user:hunter2-password@")
            let lm = OpenAICompatibleLM(.init(model: "hostile", baseURL: url, apiKeyEnvironmentVariable: nil))
            do {
                _ = try await lm.complete(Self.request)
                Issue.record("should fail")
            } catch let error as LMError {
                #expect(!error.description.contains("hunter2-password"))
                #expect(error.description.contains("no key was sent"))
            }
            try await lm.shutdown()
        }
    }
}
