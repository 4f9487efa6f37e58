import DSPEx
import DSPExTesting
import Foundation
import Testing

/// `dspex inspect`, `report` and `serve` as a user runs them, and `--keep-prompts` stored with the run's plan.
@Suite(.timeLimit(.minutes(2)), .tags(.integration))
struct ConsoleCommandTests {
    @Test("--keep-prompts is stored with the run and a resume keeps it; inspect shows only what was kept")
    func keepPromptsSurvivesResume() async throws {
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            defer {
                try? FileManager.default.removeItem(
                    atPath: URL(fileURLWithPath: store).deletingLastPathComponent().path)
            }
            let arguments = EvalResumeTests.evalArguments(baseURL: server.baseURL, store: store, run: "k")
            let first = try await CLIProcess.run(arguments + ["--keep-prompts", "failed", "--max-calls", "20"])
            #expect(first.status == 3, "\(first.stderr)")  // stopped by the budget, resumably
            // The resume keeps the whole plan: the budget (20 more calls) and which prompts are kept.
            let resumed = try await CLIProcess.run(["resume", "k", "--store", store])
            #expect(resumed.status == 3, "\(resumed.stderr)")
            let opened = try SQLiteStore(path: store)
            let record = try #require(try opened.run(named: "k"))
            #expect(try Run.storedPlan(of: record).keepPrompts == .failed)
            let id = try #require(record.id)
            let results = try opened.results(runID: id)
            #expect(results.count == 40)
            let kept = results.filter { $0.error != nil || ($0.score ?? 0) < 1 }
            #expect(try opened.stageCount(runID: id) == kept.count)
            let passed = try #require(results.first { $0.score == 1 })
            let nothing = try await CLIProcess.run(["inspect", "k", "--example", passed.exampleId, "--store", store])
            #expect(nothing.status == 1)
            #expect(nothing.stderr.contains("no LM calls are stored for example '\(passed.exampleId)'"))
            let wrong = try #require(kept.first)
            let shown = try await CLIProcess.run(["inspect", "k", "--example", wrong.exampleId, "--store", store])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("=== example \(wrong.exampleId) · stage solve · call 1 of 1"))
            #expect(shown.stdout.contains("User message:") && shown.stdout.contains("Response:"))
            let unknown = try await CLIProcess.run(["inspect", "k", "--example", "nope", "--store", store])
            #expect(unknown.status == 1 && unknown.stderr.contains("has no example with id 'nope'"))
        }
    }

    @Test("report writes one self-contained HTML file; serve refuses a non-loopback host without a token")
    func reportAndServeRefusals() async throws {
        try await withSimulatedLM { _, server in
            let store = EvalResumeTests.temporaryStore()
            let folder = URL(fileURLWithPath: store).deletingLastPathComponent()
            defer { try? FileManager.default.removeItem(at: folder) }
            let eval = try await CLIProcess.run(
                EvalResumeTests.evalArguments(baseURL: server.baseURL, store: store, run: "r") + ["--limit", "20"])
            #expect(eval.status == 0, "\(eval.stderr)")
            let out = folder.appendingPathComponent("r.html").path
            let report = try await CLIProcess.run(["report", "r", "--out", out, "--store", store])
            #expect(report.status == 0, "\(report.stderr)")
            let html = try String(contentsOfFile: out, encoding: .utf8)
            #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<table id=\"examples\">"))
            #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"))
            let missing = try await CLIProcess.run(["report", "nope", "--out", out, "--store", store])
            #expect(missing.status == 1 && missing.stderr.contains("there is no run named 'nope'"))

            let open = try await CLIProcess.run(["serve", "--host", "0.0.0.0", "--port", "0", "--store", store])
            #expect(open.status == 1)
            #expect(open.stderr.contains("needs an access token"))
            let unset = try await CLIProcess.run(
                ["serve", "--host", "0.0.0.0", "--token-env", "DSPEX_TEST_UNSET_TOKEN", "--store", store])
            #expect(unset.status != 0 && unset.stderr.contains("DSPEX_TEST_UNSET_TOKEN is not set"))
        }
    }
}
