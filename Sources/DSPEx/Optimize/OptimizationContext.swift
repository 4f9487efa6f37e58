import Synchronization

/// What an optimizer runs with beyond its inputs: the journal its work is recorded in, the usage scope its calls are
/// recorded in, and where progress goes.
///
/// ``Optimizer/compile(_:trainset:valset:)`` uses a fresh in-memory context; ``OptimizationJob`` passes one
/// backed by the store, so the run survives a crash and reports progress.
public final class OptimizationContext: Sendable {
    /// Where proposals, trials and example outcomes are recorded.
    public let journal: CompileJournal
    /// The scope every call of the optimization is recorded in (the program's, the proposer's, a judge's): progress
    /// reads its calls and tokens.
    public let usage: UsageScope
    private let state: Mutex<OptimizationProgress>
    private let onProgress: @Sendable (OptimizationProgress) -> Void

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - journal: The journal (in memory by default).
    ///   - onProgress: Called with a snapshot whenever the progress changes, from the optimizer's task.
    public init(
        journal: CompileJournal = CompileJournal(), usage: UsageScope = UsageScope(),
        onProgress: @escaping @Sendable (OptimizationProgress) -> Void = { _ in }
    ) {
        self.journal = journal
        self.usage = usage
        self.state = Mutex(OptimizationProgress())
        self.onProgress = onProgress
    }

    /// Runs `body` with its calls recorded in ``usage`` (every optimizer's work runs in it, so progress and the
    /// run's totals count the calls however the optimizer was called).
    public func recording<R>(_ body: () async throws -> R) async rethrows -> R {
        if UsageScope.current === usage { return try await body() }
        return try await UsageScope.$current.withValue(usage) { try await body() }
    }

    /// The latest snapshot, with the calls and tokens recorded so far.
    public var progress: OptimizationProgress { withUsage(state.withLock { $0 }) }

    /// Changes the snapshot and reports it.
    public func update(_ change: (inout OptimizationProgress) -> Void) {
        let snapshot = state.withLock { progress -> OptimizationProgress in
            change(&progress)
            return progress
        }
        onProgress(withUsage(snapshot))
    }

    private func withUsage(_ snapshot: OptimizationProgress) -> OptimizationProgress {
        var snapshot = snapshot
        let spent = usage.usage
        snapshot.lmCalls = spent.lmCalls
        snapshot.tokens = spent.tokens.totalTokens
        return snapshot
    }

    /// Enters a stage of the optimization.
    public func enter(_ stage: String, detail: String = "") {
        update {
            $0.stage = stage
            $0.detail = detail
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
