/// The errors of an OpenAI-compatible endpoint that no later call can get past — 401/403 (the key), 404 (the
/// model) — and the context-window refusal, each saying what to fix. Shared by the chat and embeddings clients.
struct EndpointRefusal {
    /// The endpoint, as errors name it.
    var endpoint: String
    /// The model asked for, and what kind (`model`, `embedding model`).
    var model: String
    var modelKind = "model"
    /// The environment variable the key comes from, if any.
    var keyVariable: String?
    /// Whether a key was sent.
    var keySent: Bool

    /// The error for `status`, or `nil` for a status another attempt may get past.
    func error(status: Int, answered: String) -> LMError? {
        switch status {
        case 401:
            let fix: String
            if let keyVariable {
                fix =
                    keySent
                    ? "set the environment variable \(keyVariable) to a valid API key"
                    : "no key was sent: set the environment variable \(keyVariable) to your API key"
            } else {
                fix = "no key was sent: configure the environment variable that holds the API key"
            }
            return LMError(
                code: .authentication,
                message: "\(endpoint) refused the request's credentials (\(answered)); \(fix)", status: status)
        case 403:
            let key = keyVariable.map { "the API key in \($0)" } ?? "the request"
            return LMError(
                code: .authentication,
                message: "\(endpoint) refused access for \(key) (\(answered)); use a key that may call model "
                    + "'\(model)'", status: status)
        case 404:
            return LMError(
                code: .unknownModel,
                message: "\(endpoint) does not serve \(modelKind) '\(model)' (\(answered)); check the model "
                    + "name and the base URL", status: status)
        case 400 where LMError.saysContextWindowExceeded(answered),
            413 where LMError.saysContextWindowExceeded(answered):
            return LMError(
                code: .contextWindowExceeded,
                message: "\(endpoint) refused a prompt longer than the model's context window (\(answered))",
                status: status)
        default:
            return nil
        }
    }
}
