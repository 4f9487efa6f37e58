import Synchronization

/// What an optimizer runs with beyond its inputs: the journal its work is recorded in, and where progress goes.
///
/// ``Optimizer/compile(_:trainset:valset:)`` uses a fresh in-memory context; ``OptimizationJob`` passes one
/// backed by the store, so the run survives a crash and reports progress.
public final class OptimizationContext: Sendable {
    /// Where proposals, trials and example outcomes are recorded.
    public let journal: CompileJournal
    private let state: Mutex<OptimizationProgress>
    private let onProgress: @Sendable (OptimizationProgress) -> Void

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - journal: The journal (in memory by default).
    ///   - onProgress: Called with a snapshot whenever the progress changes, from the optimizer's task.
    public init(
        journal: CompileJournal = CompileJournal(),
        onProgress: @escaping @Sendable (OptimizationProgress) -> Void = { _ in }
    ) {
        self.journal = journal
        self.state = Mutex(OptimizationProgress())
        self.onProgress = onProgress
    }

    /// The latest snapshot.
    public var progress: OptimizationProgress { state.withLock { $0 } }

    /// Changes the snapshot and reports it.
    public func update(_ change: (inout OptimizationProgress) -> Void) {
        let snapshot = state.withLock { progress -> OptimizationProgress in
            change(&progress)
            return progress
        }
        onProgress(snapshot)
    }

    /// Enters a stage of the optimization.
    public func enter(_ stage: String, detail: String = "") {
        update {
            $0.stage = stage
            $0.detail = detail
        }
    }

    /// Counts calls made by this process.
    func count(_ usage: Usage) {
        guard usage.lmCalls > 0 else { return }
        state.withLock {
            $0.lmCalls += usage.lmCalls
            $0.tokens += usage.tokens.promptTokens + usage.tokens.completionTokens
        }
    }

    /// Counts example outcomes, new or read back.
    func countResults(new: Int, replayed: Int) {
        state.withLock {
            $0.newResults += new
            $0.replayedResults += replayed
        }
    }
}
