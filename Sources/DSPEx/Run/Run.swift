import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs as library values: an evaluation or an optimization described by a ``RunPlan``, stored with its plan,
/// started, resumed after a stop, a cancel or a `kill -9`, and resumed again once complete (which only reports).
///
/// The `dspex` CLI is a shell over this: its flags make a plan, and `dspex resume NAME` is
/// ``resume(named:store:connector:observer:)``.
///
/// ```swift
/// let plan = RunPlan(kind: .eval, pipeline: "qa.yaml", data: "dev.jsonl", lm: LMOverrides(model: "openai/gpt-4o-mini"))
/// let outcome = try await Run.start(plan, named: "qa-1", store: store, connector: HTTPLanguageModelConnector())
/// // later, after a crash:
/// let resumed = try await Run.resume(named: "qa-1", store: store, connector: HTTPLanguageModelConnector())
/// ```
public enum Run {
    /// Creates the run `name` for `plan` in `store` without starting it (a detached run's worker then resumes
    /// it).
    ///
    /// - Throws: ``EvaluateError`` when a run of that name exists; errors loading the pipeline, data or program.
    @discardableResult
    public static func create(_ plan: RunPlan, named name: String, in store: any Store) async throws -> Int64 {
        let prepared = try await PreparedRun(plan, name: name, resume: false)
        await prepared.tools.close()
        return try await EvaluationCheckpoint.open(prepared.identity, kind: kind(of: plan), in: store).id
    }

    /// Creates the run `name` for `plan` and runs it to its end in this task.
    ///
    /// - Returns: The evaluation's result (possibly stopped, resumably) or the optimized program.
    /// - Throws: `CancellationError` or a run-stopping ``LMError`` for a compile run that stopped (resumable), and
    ///   the errors of ``create(_:named:in:)``.
    public static func start(
        _ plan: RunPlan, named name: String, store: any Store, connector: some LanguageModelConnector,
        observer: RunObserver = RunObserver()
    ) async throws -> RunOutcome {
        try await create(plan, named: name, in: store)
        // This process runs the plan as given (the stored copy holds no URL password).
        return try await resume(named: name, store: store, connector: connector, observer: observer, replacing: plan)
    }

    /// A fresh run name for `plan`: the pipeline's name (and the optimizer's), then the UTC time,
    /// `qa-mipro-20261125-231502`, with `-2`, `-3`… while `store` has a run of that name.
    public static func defaultName(for plan: RunPlan, in store: any Store) async throws -> String {
        let spec = try PipelineFile.load(path: plan.pipeline)
        let optimizer =
            plan.kind == .compile ? "-" + (plan.optimizer ?? OptimizerPlan(name: .bootstrap)).name.rawValue : ""
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let base = "\(spec.name)\(optimizer)-\(formatter.string(from: Date()))"
        var name = base
        var number = 1
        while try await store.run(named: name) != nil {
            number += 1
            name = "\(base)-\(number)"
        }
        return name
    }

    /// Continues the run `name` with the plan it was started with: finished work is read back, not redone or paid
    /// for again. A completed run is not run again: an evaluation reports its stored result, a compile run
    /// returns its stored program.
    ///
    /// - Throws: ``RunError`` with ``RunError/Code/noPlan`` for a run stored before plans were,
    ///   ``RunError/Code/runningElsewhere`` while another live process works on it; ``EvaluateError`` for an
    ///   unknown run or a changed pipeline or dataset; and what ``start(_:named:store:connector:observer:)``
    ///   throws.
    ///
    /// - Parameter replacing: A plan to continue with instead of the stored one (`dspex eval --resume NAME` with
    ///   its flags, or a run stored by an earlier version, without a plan, rebuilt from its command line). Its
    ///   pipeline, data and metric must be the run's (a change is refused); it is stored with the run.
    public static func resume(
        named name: String, store: any Store, connector: some LanguageModelConnector,
        observer: RunObserver = RunObserver(), replacing replacement: RunPlan? = nil
    ) async throws -> RunOutcome {
        guard let record = try await store.run(named: name), let id = record.id else {
            throw EvaluateError(code: .unknownRun, message: "there is no run named '\(name)'; see `dspex runs`")
        }
        let plan = try replacement ?? storedPlan(of: record)
        if let pid = try await liveWorker(of: record, in: store) {
            throw RunError(
                code: .runningElsewhere,
                message: "run '\(name)' is being worked on by process \(pid); stop it with `dspex cancel \(name)` "
                    + "first")
        }
        let prepared = try await PreparedRun(plan, name: name, resume: true)
        do {
            let outcome = try await run(
                prepared, id: id, record: record, store: store, connector: connector, observer: observer,
                replacement: replacement)
            await prepared.tools.close()
            return outcome
        } catch {
            await prepared.tools.close()
            throw error
        }
    }

    private static func run(
        _ prepared: PreparedRun, id: Int64, record: RunRecord, store: any Store, connector: some LanguageModelConnector,
        observer: RunObserver, replacement: RunPlan?
    ) async throws -> RunOutcome {
        let plan = prepared.plan
        let name = prepared.identity.name
        if let replacement {
            try EvaluationCheckpoint.refuseChanges(prepared.identity, kind: kind(of: plan), existing: record)
            try await store.setPlan(runID: id, plan: try replacement.jsonText())
        }
        if plan.kind == .compile, record.status == RunRecord.Status.completed,
            let stored = try await store.program(named: name)
        {
            return .compiled(try completedProgram(prepared, stored: stored, record: record))
        }
        observer.opened(name)
        try await store.setWorker(runID: id, pid: Int(getpid()), host: ProcessInfo.processInfo.hostName)
        let outcome: Result<RunOutcome, any Error>
        do {
            switch plan.kind {
            case .eval:
                outcome = .success(try await evaluate(prepared, store: store, connector: connector, observer: observer))
            case .compile:
                outcome = .success(try await compile(prepared, store: store, connector: connector, observer: observer))
            }
        } catch {
            outcome = .failure(error)
        }
        // The run has no worker any more, whatever happened (a write that fails here leaves a stale pid, which
        // `liveWorker(of:in:)` sees is not alive).
        try? await store.setWorker(runID: id, pid: nil, host: nil)
        return try outcome.get()
    }

    /// The plan a run was stored with.
    ///
    /// - Throws: ``RunError`` with ``RunError/Code/noPlan`` for a run stored before plans were (resume it from
    ///   its stored command line), or ``RunError/Code/invalidPlan``.
    public static func storedPlan(of record: RunRecord) throws(RunError) -> RunPlan {
        guard let json = record.plan else {
            throw RunError(
                code: .noPlan, message: "run '\(record.name)' was stored by an earlier version, without a plan")
        }
        return try RunPlan(json: json)
    }

    /// The id of a live process on this host working on the run, if any (other than this one).
    public static func liveWorker(of record: RunRecord, in store: any Store) async throws -> Int? {
        guard record.status == RunRecord.Status.running, let id = record.id else { return nil }
        var pid =
            record.workerHost == nil || record.workerHost == ProcessInfo.processInfo.hostName
            ? record.workerPid : nil
        if pid == nil, record.kind == RunRecord.Kind.compile {
            // Runs of earlier versions kept the worker's pid in the compile journal.
            pid = try await CompileJournal(store: store, runID: id).value(for: "process")?["pid"]?.intValue
        }
        guard let pid, pid_t(pid) != getpid(), kill(pid_t(pid), 0) == 0 || errno == EPERM else { return nil }
        return pid
    }

    private static func kind(of plan: RunPlan) -> String {
        plan.kind == .eval ? RunRecord.Kind.eval : RunRecord.Kind.compile
    }

    static func evaluate(
        _ prepared: PreparedRun, store: any Store, connector: some LanguageModelConnector, observer: RunObserver
    ) async throws -> RunOutcome {
        let plan = prepared.plan
        let dataset = Dataset(
            url: URL(fileURLWithPath: plan.data), configuration: prepared.datasetConfiguration(limit: plan.limit))
        let rows = dataset.rows()
        let total = dataset.estimatedRowCount()
        let result = try await withCache(plan, store: store) { cache in
            try await connector.withLanguageModel(prepared.lmSettings, simulator: plan.simulator, cache: cache) { lm in
                try await withLM(lm) {
                    let evaluate = Evaluate(
                        metric: try prepared.metric(lm: lm), store: store,
                        configuration: .init(
                            scheduler: .init(maxErrors: plan.maxErrors), budget: plan.budget,
                            keepPrompts: plan.keepPrompts ?? .all))
                    return try await evaluate.evaluate(
                        prepared.program, on: rows, total: total, run: prepared.identity,
                        onProgress: observer.evaluation)
                }
            }
        }
        let metricName = prepared.identity.config["metric"]?["name"]?.stringValue ?? "metric"
        return .evaluated(EvaluatedRun(result: result, metricName: metricName, skippedRows: rows.skippedRowCount))
    }

    private static func compile(
        _ prepared: PreparedRun, store: any Store, connector: some LanguageModelConnector, observer: RunObserver
    ) async throws -> RunOutcome {
        let plan = prepared.plan
        let started = ContinuousClock.now
        let configuration = prepared.datasetConfiguration()
        let train = try await Dataset(url: URL(fileURLWithPath: plan.data), configuration: configuration).examples()
        var validation: [Example]?
        if let valset = plan.valset {
            validation = try await Dataset(url: URL(fileURLWithPath: valset), configuration: configuration).examples()
        }
        let trainset = train
        let valset = validation
        let (program, progress) = try await withCache(plan, store: store) { cache in
            try await connector.withLanguageModel(prepared.lmSettings, simulator: plan.simulator, cache: cache) { lm in
                try await withReflectionLM(prepared, taskLM: lm, connector: connector, cache: cache) { reflectionLM in
                    try await withLM(lm) {
                        let optimizer = (plan.optimizer ?? OptimizerPlan(name: .bootstrap))
                            .makeOptimizer(
                                metric: try prepared.metric(lm: lm), promptModel: reflectionLM,
                                feedbackMetric: try prepared.feedbackMetric(lm: lm))
                        let job = try await OptimizationJob.open(
                            optimizer, program: prepared.program, trainset: trainset, valset: valset, store: store,
                            run: prepared.identity, budget: plan.budget)
                        // The events end when run() returns or throws.
                        async let last = lastProgress(of: job.events, observer: observer)
                        let optimized = try await job.run()
                        return (optimized, await last)
                    }
                }
            }
        }
        return .compiled(
            CompiledProgram(
                program: program, progress: progress, elapsed: ContinuousClock.now - started,
                wasAlreadyCompleted: false))
    }

    /// Runs `body` with the optimizer's reflection model connected, or with the task model when it names none.
    private static func withReflectionLM<R: Sendable>(
        _ prepared: PreparedRun, taskLM: any LanguageModel, connector: some LanguageModelConnector,
        cache: (any LMCache)?, _ body: (any LanguageModel) async throws -> R
    ) async throws -> R {
        guard let settings = prepared.reflectionLMSettings else { return try await body(taskLM) }
        return try await connector.withLanguageModel(settings, simulator: prepared.plan.simulator, cache: cache, body)
    }

    /// Runs `body` with the plan's persistent cache (or none), flushed afterwards whatever happened.
    private static func withCache<R: Sendable>(
        _ plan: RunPlan, store: any Store, _ body: ((any LMCache)?) async throws -> R
    ) async throws -> R {
        let cache = plan.cache ? PersistentLMCache(store: store) : nil
        let outcome: Result<R, any Error>
        do {
            outcome = .success(try await body(cache))
        } catch {
            outcome = .failure(error)
        }
        try await cache?.flush()
        return try outcome.get()
    }

    private static func lastProgress(
        of events: AsyncStream<OptimizationProgress>, observer: RunObserver
    ) async -> OptimizationProgress {
        var last = OptimizationProgress()
        for await progress in events {
            observer.optimization(progress)
            last = progress
        }
        return last
    }

    /// A completed compile run's stored program and totals.
    private static func completedProgram(
        _ prepared: PreparedRun, stored: ProgramRecord, record: RunRecord
    ) throws -> CompiledProgram {
        let program = try prepared.program.loadingState(try Value(json: stored.json))
        var progress = OptimizationProgress()
        progress.stage = "done"
        if let totals = RunReport(record).totals {
            progress.bestScore = totals.bestScore
            progress.lmCalls = totals.lmCalls
            progress.tokens = totals.promptTokens + totals.completionTokens
        }
        return CompiledProgram(program: program, progress: progress, elapsed: .zero, wasAlreadyCompleted: true)
    }
}
