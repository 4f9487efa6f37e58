import ArgumentParser
import DSPEx
import Foundation
import Synchronization

/// How `eval`, `compile` and `resume` show a run: progress while it goes, then its outcome — an evaluation's
/// summary (a table or JSON), a compile run's program — and the exit status of a stopped run.
struct RunPresenter {
    /// The `--store` suffix of the commands it suggests.
    var storeSuffix: String
    /// Print an evaluation's summary as JSON.
    var json: Bool
    /// Print the run's name first (compile runs do, so a script can read it before the work ends).
    var announcesName: Bool

    /// Starts the run `name` for `plan`, or — `resuming` (`--resume NAME`) — continues it with `plan`, and shows it.
    func present(_ plan: RunPlan, named name: String, resuming: Bool, store: any Store, out: String?) async throws {
        try await present(out: out) { observer in
            if resuming {
                return try await Run.resume(
                    named: name, store: store, connector: SimulatorConnector(), observer: observer, replacing: plan)
            }
            return try await Run.start(
                plan, named: name, store: store, connector: SimulatorConnector(), observer: observer)
        }
    }

    /// Runs `work` (a start or a resume) with progress shown, cancelled by Ctrl-C or SIGTERM, and shows what it
    /// ended with.
    ///
    /// - Parameter out: Where a compile run's program is written (else it is printed).
    func present(
        out: String?, _ work: @escaping @Sendable (RunObserver) async throws -> RunOutcome
    ) async throws {
        let evaluation = ProgressDisplay(enabled: !json)
        let optimization = CompileProgressPrinter()
        let name = NameBox()
        let observer = RunObserver(
            opened: { opened in
                name.set(opened)
                if announcesName { Console.line("run \(opened)") }
            },
            evaluation: { evaluation.update($0) }, optimization: { optimization.show($0) })
        let outcome: RunOutcome
        do {
            outcome = try await Interrupts.cancellingOnSignal { try await work(observer) }
        } catch is CancellationError {
            Console.error("stopped; resume with: dspex resume \(name.value)" + storeSuffix)
            throw ExitCode(130)
        } catch let error as LMError where error.stopsRun {
            Console.error("error: \(error)")
            Console.error(
                "stopped (\(RunSummary.StopReason.stopping(for: error))); resume with: dspex resume \(name.value)"
                    + storeSuffix)
            throw ExitCode(error.isRunFatal ? 4 : 3)
        }
        switch outcome {
        case .evaluated(let evaluated):
            evaluation.finish()
            try show(evaluated.result, skipped: evaluated.skippedRows, metricName: evaluated.metricName)
        case .compiled(let compiled):
            try show(compiled, out: out)
        }
    }

    private func show(_ result: EvaluationResult, skipped: Int, metricName: String) throws {
        if json {
            print(result.json.jsonString(.pretty(indent: 2)))
        } else {
            print(SummaryTable.render(result, metric: metricName, skipped: skipped))
        }
        if let reason = result.stopReason {
            let name = result.runName ?? "RUN"
            if reason == .lmRefused, let error = result.stopError { Console.error("error: \(error)") }
            Console.error("stopped (\(reason)); resume with: dspex resume \(name)" + storeSuffix)
            throw ExitCode(reason == .cancelled ? 130 : reason == .lmRefused ? 4 : 3)
        }
    }

    private func show(_ compiled: CompiledProgram, out: String?) throws {
        let last = compiled.progress
        if let best = last.bestScore { Console.line(String(format: "best score %.2f%%", best * 100)) }
        if compiled.wasAlreadyCompleted {
            Console.line("the run had completed: its stored program, \(last.lmCalls) LM calls, \(last.tokens) tokens")
        } else {
            Console.line(
                "compiled in \(String(format: "%.1f", compiled.elapsed.seconds)) s: \(last.lmCalls) LM calls, "
                    + "\(last.tokens) tokens"
                    + (last.replayedResults > 0 ? ", \(last.replayedResults) results reused" : ""))
        }
        if let out {
            try compiled.program.save(to: URL(fileURLWithPath: out))
            Console.line("wrote \(out)")
        } else {
            Console.line(compiled.program.savedState().jsonString(.pretty(indent: 2)))
        }
    }
}

/// The run's name once it is known, for messages after a stop.
private final class NameBox: Sendable {
    private let name = Mutex("RUN")

    func set(_ value: String) { name.withLock { $0 = value } }
    var value: String { name.withLock { $0 } }
}

/// Prints optimization progress on standard error: a line when the stage or trial changes, at most two a second
/// otherwise.
final class CompileProgressPrinter: Sendable {
    private struct Printed {
        var stage: String
        var trial: Int?
        var detail: String
        var time: ContinuousClock.Instant
    }
    private let last = Mutex<Printed?>(nil)

    func show(_ progress: OptimizationProgress) {
        let now = ContinuousClock.now
        let due = last.withLock { printed -> Bool in
            let changed =
                printed == nil || printed?.stage != progress.stage || printed?.trial != progress.trial
                || (printed?.detail != progress.detail && now - (printed?.time ?? now) > .milliseconds(500))
            if changed {
                printed = Printed(stage: progress.stage, trial: progress.trial, detail: progress.detail, time: now)
            }
            return changed
        }
        if due { Console.error(progress.description) }
    }
}
