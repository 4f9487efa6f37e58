import DSPEx
import Foundation
import Synchronization

/// The live progress of an evaluation: a redrawn bar on a terminal, plain lines every few seconds otherwise.
final class ProgressDisplay: Sendable {
    private struct State {
        var lastDraw = ContinuousClock.now - .seconds(10)
        var drewBar = false
    }

    private let enabled: Bool
    private let isTerminal: Bool
    private let state = Mutex(State())

    init(enabled: Bool) {
        self.enabled = enabled
        isTerminal = isatty(STDERR_FILENO) == 1
    }

    func update(_ progress: EvaluationProgress) {
        guard enabled else { return }
        let interval: Duration = isTerminal ? .milliseconds(100) : .seconds(2)
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            let finished = progress.total.map { progress.done >= $0 } ?? false
            guard now - state.lastDraw >= interval || finished else { return false }
            state.lastDraw = now
            state.drewBar = isTerminal
            return true
        }
        guard due else { return }
        let line = Self.describe(progress, barWidth: isTerminal ? 24 : 0)
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[2K" + line : line + "\n").utf8))
    }

    func finish() {
        let drew = state.withLock { $0.drewBar }
        if drew { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func describe(_ progress: EvaluationProgress, barWidth: Int) -> String {
        var parts: [String] = []
        if let total = progress.total, total > 0 {
            if barWidth > 0 {
                let filled = min(barWidth, barWidth * progress.done / total)
                parts.append(
                    "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled) + "]"
                )
            }
            parts.append("\(progress.done)/\(total)")
        } else {
            parts.append("\(progress.done) done")
        }
        parts.append(String(format: "%.1f/s", progress.rate))
        parts.append(String(format: "score %.1f%%", progress.score * 100))
        parts.append("errors \(progress.errors)")
        if let remaining = progress.remaining {
            parts.append("ETA \(remaining.components.seconds)s")
        }
        return parts.joined(separator: "  ")
    }
}
