/// How a pipeline formats prompts and parses replies: `chat` (DSPy's `[[ ## field ## ]]`
/// sections) or `json` (a JSON object).
///
/// The raw value is the spelling used in pipeline files; `chat` is the default. More kinds
/// may be added, so match the ones you handle and keep a default.
public struct AdapterKind: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The spelling in pipeline files.
    public var rawValue: String

    /// Creates a kind from its spelling; use ``allCases`` to check that it is known.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// DSPy's `ChatAdapter`.
    public static let chat = AdapterKind(rawValue: "chat")
    /// DSPy's `JSONAdapter`.
    public static let json = AdapterKind(rawValue: "json")

    /// Every kind a pipeline file may name, in the order error messages list them.
    public static let allCases: [AdapterKind] = [.chat, .json]

    public var description: String { rawValue }
}
