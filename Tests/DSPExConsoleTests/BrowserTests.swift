import DSPEx
import DSPExConsole
import DSPExTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// The console in a real browser: headless Chromium, driven over WebDriver, against a live console of a real store
/// while a real `dspex eval` process writes to it. Skipped when Chromium is not installed, unless `CI=true`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BrowserTests {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Where screenshots go: `DSPEX_SCREENSHOTS_DIR`, else `.build/console-screenshots`.
    static let screenshots =
        ProcessInfo.processInfo.environment["DSPEX_SCREENSHOTS_DIR"]
        ?? FileManager.default.currentDirectoryPath + "/.build/console-screenshots"

    @Test(
        "runs page goes live, a failed example shows its raw reply unrun, the plot draws, a run cancels from its page",
        .enabled(
            if: WebDriver.isAvailable || isCI,
            "chromium and chromium-driver are not installed: apt-get install chromium chromium-driver (CI=true fails)"))
    func console() async throws {
        guard WebDriver.isAvailable else {
            Issue.record(
                "CI=true but chromium or chromedriver is missing: .ci/run installs chromium and chromium-driver")
            return
        }
        let fixture = try await ConsoleFixture.make()
        defer { try? fixture.store.remove() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // A real evaluation in another process, slow enough to watch and still running when cancelled: 200 examples,
        // one at a time, 300 ms each (a minute).
        let eval = try SpawnedProcess.start(
            ChildProcess.dspex,
            [
                "eval", root.appendingPathComponent("pipelines/arithmetic.yaml").path, "--data",
                root.appendingPathComponent("data/arithmetic_dev.jsonl").path, "--lm", "sim", "--sim-latency-ms", "300",
                "--concurrency", "1", "--run", "live", "--store", fixture.store.path, "--no-cache",
            ])
        defer {
            if eval.isRunning { eval.send(SIGKILL) }
        }
        // The resume button starts `dspex resume` as the CLI's console does, as a child kept here to clean up.
        let resumed = Mutex<[SpawnedProcess]>([])
        defer {
            for process in resumed.withLock({ $0 }) where process.isRunning { process.send(SIGKILL) }
        }
        let storePath = fixture.store.path
        let server = try ConsoleServer(
            store: fixture.store, configuration: .init(port: 0, feed: .init(interval: .milliseconds(200)))
        ) { name in
            let process = try SpawnedProcess.start(ChildProcess.dspex, ["resume", name, "--store", storePath])
            resumed.withLock { $0.append(process) }
        }
        try await server.application().test(.live) { client in
            let port = try #require(client.port)
            let base = "http://127.0.0.1:\(port)"
            let browser = try await WebDriver.start()
            do {
                try await Self.walkThrough(browser, base: base, store: fixture.store, eval: eval)
            } catch {
                Issue.record(error)
            }
            await browser.close()
        }
        _ = await eval.wait(timeout: 10)
    }

    static func walkThrough(_ browser: WebDriver, base: String, store: SQLiteStore, eval: SpawnedProcess) async throws {
        // The runs page: the live run appears (the page reloads for a new run) and its count rises without a reload.
        try await browser.open(base + "/")
        let live = "tr[data-run=\"live\"] [data-field=\"examples\"]"
        let first = Int(try await browser.waitForText(live, timeout: .seconds(30)) { (Int($0) ?? 0) > 0 }) ?? 0
        _ = try await browser.execute("window.__sameDocument = true; return true")
        let later = Int(try await browser.waitForText(live) { (Int($0) ?? 0) >= first + 4 }) ?? 0
        #expect(later > first)
        #expect(try await browser.execute("return window.__sameDocument === true") == true, "updated in place")
        try await browser.screenshot(to: screenshots + "/console-runs.png")

        // A failed example: the raw reply is shown as text, and the script in it never ran.
        try await browser.open(base + "/runs/base/examples/ex2")
        let raw = try await browser.text(".raw-reply")
        #expect(raw.contains("<script>window.__pwned = true</script>"))
        #expect(try await browser.execute("return window.__pwned === undefined") == true)
        #expect(try await browser.count("img") == 0)
        try await browser.screenshot(to: screenshots + "/console-example.png")

        // The run page with its examples table, and the compile run's plot.
        try await browser.open(base + "/runs/base")
        #expect(try await browser.count("#examples tbody tr") == 10)
        try await browser.screenshot(to: screenshots + "/console-run.png")
        try await browser.open(base + "/runs/opt")
        #expect(try await browser.count("#trial-plot circle.minibatch") == 3)
        #expect(try await browser.count("#trial-plot circle.full") == 2)
        #expect(try await browser.count("#trial-plot path.best") == 1)
        try await browser.screenshot(to: screenshots + "/console-plot.png")

        // Cancel the live run from its page: the eval process stops, resumably.
        try await browser.open(base + "/runs/live")
        try await browser.click("#cancel")
        _ = try await browser.waitForText("#summary [data-field=\"status\"]", timeout: .seconds(20)) { $0 == "stopped" }
        #expect(try store.run(named: "live")?.status == RunRecord.Status.stopped)
        #expect(try await browser.count("#resume") == 1)
        let stopped = await eval.wait(timeout: 10)
        #expect(stopped != .signalled(SIGKILL))
        try await browser.screenshot(to: screenshots + "/console-cancelled.png")

        // Resume it from the page: it runs again (in a `dspex resume` process) and goes on from where it stopped.
        let before = try store.resultCount(runID: try #require(try store.run(named: "live")?.id))
        try await browser.click("#resume")
        _ = try await browser.waitForText("#summary [data-field=\"status\"]", timeout: .seconds(20)) { $0 == "running" }
        _ = try await browser.waitForText("#summary [data-field=\"examples\"]", timeout: .seconds(20)) {
            (Int($0) ?? 0) > before
        }
        #expect(try await Run.cancel(named: "live", in: store, wait: .seconds(20)) == RunRecord.Status.stopped)
    }
}
