/// The prompting tips MIPROv2's proposer draws one of at random for each instruction it asks for (DSPy's
/// `TIPS`), so the candidates differ in style, not only by sampling.
public enum InstructionTip: String, Sendable, CaseIterable {
    case none
    case creative
    case simple
    case description
    case highStakes = "high_stakes"
    case persona

    /// The sentence given to the prompt model (empty for ``none``).
    public var text: String {
        switch self {
        case .none: ""
        case .creative: "Don't be afraid to be creative when creating the new instruction!"
        case .simple: "Keep the instruction clear and concise."
        case .description: "Make sure your instruction is very informative and descriptive."
        case .highStakes: "The instruction should include a high stakes scenario in which the LM must solve the task!"
        case .persona: "Include a persona that is relevant to the task in the instruction (ie. \"You are a ...\")"
        }
    }
}
