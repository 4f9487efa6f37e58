/// One message of a chat-completion request, with its content flattened to text.
///
/// OpenAI allows `content` to be a string or a list of parts; the simulator reads only
/// the text parts, joined by newlines, like a text-only model.
struct ChatMessage: Sendable, Equatable {
    var role: String
    var content: String
}
