/// How the simulator lays out its reply.
enum ReplyFormat: Sendable, Equatable {
    /// DSPy's ChatAdapter: `[[ ## field ## ]]` blocks ending with `[[ ## completed ## ]]`.
    case chat
    /// A JSON object with one member per output field (DSPy's JSONAdapter, or `response_format`).
    case json
    /// Plain text, for prompts that name no output fields.
    case prose
}
