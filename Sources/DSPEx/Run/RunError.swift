/// Why a run could not be started or resumed.
public struct RunError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The stored plan cannot be read.
        case invalidPlan = "invalid_plan"
        /// The run was stored before plans were, and must be resumed from its stored command line.
        case noPlan = "no_plan"
        /// Another live process is working on the run.
        case runningElsewhere = "running_elsewhere"
        /// The run's model is the built-in simulator, which the connector cannot start.
        case needsSimulator = "needs_simulator"
        /// The plan is not one this kind of run can carry out (an eval plan without data, a compile plan without an
        /// optimizer).
        case invalidPlanKind = "invalid_plan_kind"
    }

    /// What went wrong.
    public var code: Code
    /// A sentence saying what and what to do.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
