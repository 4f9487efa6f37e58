import DSPEx
import DSPExTesting
import Foundation
import Testing

/// Real `dspex` processes against servers that send the key back (in a 401 body, a reply, a header, an event
/// stream, a 401 then 200): the key appears in no output stream and in no byte of any file the runs leave —
/// the store with its WAL, the logs folder, the program file, the exports.
@Suite(.timeLimit(.minutes(4)), .tags(.integration))
struct SecretLeakTests {
    static let pipeline = """
        name: leak
        stages:
          - id: answer
            module: predict
            signature: "question -> answer"
            inputs: {question: input.question}
            concurrency: 2
        outputs: {answer: answer.answer}
        metric: {name: exact_match, field: answer}
        """

    /// Key shapes a user may have: OpenAI's project keys, a bare token, a UUID, a JWT-like gateway token.
    static func keys() -> [String] {
        let hex = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return [
            "sk-proj-\(hex)Ab_9", "tok\(hex.prefix(20))", UUID().uuidString,
            "eyJhbGciOiJIUzI1NiJ9.\(hex.prefix(16)).\(hex.suffix(12))", "sk-\(hex.prefix(24))",
            "gw_\(hex.suffix(18))x", "K\(hex.prefix(30))",
        ]
    }

    /// A folder with the pipeline, a five-row dataset and room for the store, logs, program and exports.
    struct Workspace {
        let folder: URL
        var pipeline: String { folder.appendingPathComponent("leak.yaml").path }
        var data: String { folder.appendingPathComponent("data.jsonl").path }
        var store: String { folder.appendingPathComponent(".dspex/dspex.sqlite").path }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-leak-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try SecretLeakTests.pipeline.write(toFile: pipeline, atomically: true, encoding: .utf8)
            let rows = (1...5).map {
                #"{"id": "q\#($0)", "question": "What is \#($0) + \#($0)?", "answer": "forty-two"}"#
            }
            try rows.joined(separator: "\n").write(toFile: data, atomically: true, encoding: .utf8)
        }

        /// Every byte of every file under the folder, by path.
        func files() throws -> [(String, Data)] {
            let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
            var files: [(String, Data)] = []
            while let url = enumerator?.nextObject() as? URL {
                guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
                files.append((url.path, try Data(contentsOf: url)))
            }
            return files
        }
    }

    /// Runs `dspex` in the workspace with the key in `OPENAI_API_KEY`, keeping what it printed.
    static func dspex(_ arguments: [String], key: String, in workspace: Workspace, log: inout [String])
        async throws -> ChildProcess.Output
    {
        let output = try await ChildProcess.run(
            ChildProcess.dspex, arguments, in: workspace.folder, environment: ["OPENAI_API_KEY": key], timeout: 60)
        log.append("$ dspex \(arguments.joined(separator: " "))\n\(output.stdout)\n\(output.stderr)")
        return output
    }

    static func status(of run: String, in workspace: Workspace) throws -> String? {
        try SQLiteStore(path: workspace.store).run(named: run)?.status
    }

    /// Asserts that neither the key nor a long piece of it is in `text` or in any file of the workspace.
    static func expectNoLeak(of key: String, printed: [String], in workspace: Workspace, _ label: String) throws {
        let pieces = [key, String(key.dropFirst(4).prefix(12)), String(key.suffix(10))]
        let printedText = printed.joined(separator: "\n")
        for piece in pieces {
            #expect(!printedText.contains(piece), "\(label): '\(piece)' printed:\n\(printedText)")
            for (path, bytes) in try workspace.files() {
                #expect(bytes.range(of: Data(piece.utf8)) == nil, "\(label): '\(piece)' in \(path)")
            }
        }
    }

    static let behaviours: [HostileServer.Behaviour] = [
        .echoInErrorBody, .echoInReply, .echoInHeader, .echoInEventStream, .refuseThenAnswer(count: 1), .forbidden,
        .unknownModel,
    ]

    @Test("predict, eval, resume, compile (attached and detached) and export leak no byte of the key", arguments: 0..<7)
    func noLeak(case index: Int) async throws {
        let behaviour = Self.behaviours[index]
        let key = Self.keys()[index]
        let workspace = try Workspace()
        defer { try? FileManager.default.removeItem(at: workspace.folder) }
        var printed: [String] = []
        let refusing = [.echoInErrorBody, .forbidden, .unknownModel].contains(behaviour)
        try await HostileServer.with(behaviour) { server in
            let model = ["--lm", "hostile", "--base-url", server.baseURL, "--max-attempts", "2"]

            let predict = try await Self.dspex(
                ["predict", "--signature", "question -> answer", "--input", "question=What is 2 + 2?"] + model,
                key: key, in: workspace, log: &printed)
            if refusing || behaviour == .refuseThenAnswer(count: 1) {
                #expect(predict.status != 0, "\(behaviour)")
                #expect(predict.stderr.contains(behaviour == .unknownModel ? "'hostile'" : "OPENAI_API_KEY"))
            } else {
                #expect(predict.status == 0, "\(behaviour): \(predict.stderr)")
            }

            let before = server.requests
            let eval = try await Self.dspex(
                ["eval", workspace.pipeline, "--data", workspace.data, "--run", "e1", "--store", workspace.store]
                    + model, key: key, in: workspace, log: &printed)
            if refusing {
                // The run stops at the refusal, resumably, without recording the examples in flight as failed.
                #expect(eval.status == 4, "\(behaviour): \(eval.stderr)")
                #expect(eval.stderr.contains("resume with: dspex resume e1"))
                #expect(server.requests - before <= 2, "a refused key or model is not asked again")
                #expect(try Self.status(of: "e1", in: workspace) == RunRecord.Status.stopped)
                let store = try SQLiteStore(path: workspace.store)
                #expect(try store.results(runID: try #require(try store.run(named: "e1")?.id)).isEmpty)
            } else {
                // The refuse-then-answer server has refused once already (the predict call): it answers now.
                #expect(eval.status == 0, "\(behaviour): \(eval.stderr)")
            }
            let resume = try await Self.dspex(
                ["resume", "e1", "--store", workspace.store], key: key, in: workspace, log: &printed)
            #expect(resume.status == (refusing ? 4 : 0), "\(behaviour): \(resume.stderr)")

            let compile = try await Self.dspex(
                [
                    "compile", workspace.pipeline, "--optimizer", "copro", "--breadth", "2", "--depth", "1",
                    "--trainset", workspace.data, "--run", "c1", "--store", workspace.store, "--out",
                    workspace.folder.appendingPathComponent("program.json").path,
                ] + model,
                key: key, in: workspace, log: &printed)
            #expect(compile.status == (refusing ? 4 : 0), "\(behaviour): \(compile.stderr)")
            #expect(try Self.status(of: "c1", in: workspace) == (refusing ? "stopped" : "completed"))

            let detached = try await Self.dspex(
                [
                    "compile", workspace.pipeline, "--optimizer", "copro", "--breadth", "2", "--depth", "1",
                    "--trainset", workspace.data, "--run", "c2", "--store", workspace.store, "--detach",
                ] + model,
                key: key, in: workspace, log: &printed)
            #expect(detached.status == 0, "\(behaviour): \(detached.stderr)")
            let deadline = ContinuousClock.now + .seconds(60)
            while try Self.status(of: "c2", in: workspace) == RunRecord.Status.running, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try Self.status(of: "c2", in: workspace) == (refusing ? "stopped" : "completed"))
            // The detached process may still be writing its last lines.
            try await Task.sleep(for: .milliseconds(300))

            for (format, file) in [("jsonl", "e1.jsonl"), ("csv", "e1.csv")] {
                let export = try await Self.dspex(
                    [
                        "export", "e1", "--format", format, "--store", workspace.store, "--out",
                        workspace.folder.appendingPathComponent(file).path,
                    ], key: key, in: workspace, log: &printed)
                #expect(export.status == 0, "\(export.stderr)")
            }
            for command in [["runs"], ["show", "e1"], ["show", "c1"]] {
                let shown = try await Self.dspex(
                    command + ["--store", workspace.store], key: key, in: workspace, log: &printed)
                #expect(shown.status == 0, "\(shown.stderr)")
            }
            // The stored calls: exact messages and raw replies (nothing is stored for a refused run).
            let inspected = try await Self.dspex(
                ["inspect", "e1", "--last", "5", "--store", workspace.store], key: key, in: workspace, log: &printed)
            #expect(inspected.status == (refusing ? 1 : 0), "\(behaviour): \(inspected.stderr)")
        }
        let logs = URL(fileURLWithPath: workspace.store).deletingLastPathComponent().appendingPathComponent("logs")
        #expect(FileManager.default.fileExists(atPath: logs.appendingPathComponent("c2.log").path))
        try Self.expectNoLeak(of: key, printed: printed, in: workspace, "\(behaviour)")
    }
}
