/// Expands `${NAME}` in pipeline-file values from an environment.
///
/// - `${NAME}` is the variable's value; an unset variable is an error.
/// - `${NAME:-default}` is the value when set and not empty, else `default` (taken literally).
/// - `$${` is a literal `${`, so `$${HOME}` stays `${HOME}`.
/// - A `$` not followed by `{` is kept as it is.
///
/// ```swift
/// let expander = VariableExpander(environment: ["HOST": "localhost"])
/// try expander.expand("http://${HOST}:8080") // "http://localhost:8080"
/// try expander.expand("$${HOST}")            // "${HOST}"
/// ```
struct VariableExpander {
    /// A reference that cannot be expanded, with its position in the text.
    struct Failure: Error {
        /// `undefinedVariable` or `invalidValue`.
        var code: PipelineFileError.Code
        /// What is wrong.
        var message: String
        /// The 0-based character offset of the `$` that starts the reference.
        var offset: Int
    }

    /// The variables and their values.
    var environment: [String: String]

    /// The text with every reference replaced.
    func expand(_ text: String) throws(Failure) -> String {
        try expand(text, lenient: false)
    }

    /// The text with every expandable reference replaced and the rest left as written; used to
    /// hash a whole file, comments included.
    func expandLeniently(_ text: String) -> String {
        do {
            return try expand(text, lenient: true)
        } catch {
            preconditionFailure("lenient expansion never throws")
        }
    }

    private func expand(_ text: String, lenient: Bool) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        let characters = Array(text)
        var output = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "$" else {
                output.append(character)
                index += 1
                continue
            }
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if next == "$", index + 2 < characters.count, characters[index + 2] == "{" {
                output += "${"
                index += 3
                continue
            }
            guard next == "{" else {
                output.append(character)
                index += 1
                continue
            }
            guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                if lenient {
                    output += String(characters[index...])
                    return output
                }
                throw Failure(
                    code: .invalidValue,
                    message: "unterminated variable reference; write ${NAME}, or $${ for a literal ${",
                    offset: index)
            }
            let body = String(characters[(index + 2)..<close])
            let name: String
            let fallback: String?
            if let separator = body.range(of: ":-") {
                name = String(body[..<separator.lowerBound])
                fallback = String(body[separator.upperBound...])
            } else {
                name = body
                fallback = nil
            }
            guard SourceReference.isIdentifier(name) else {
                if lenient {
                    output += String(characters[index...close])
                    index = close + 1
                    continue
                }
                throw Failure(
                    code: .invalidValue,
                    message: "'${\(body)}' is not a variable reference; expected ${NAME} with NAME a letter or '_'"
                        + " followed by letters, digits or '_'",
                    offset: index)
            }
            if let value = environment[name], !(fallback != nil && value.isEmpty) {
                output += value
            } else if let fallback {
                output += fallback
            } else if lenient {
                output += String(characters[index...close])
            } else {
                throw Failure(
                    code: .undefinedVariable,
                    message: "environment variable '\(name)' is not set; set it, give a default with ${\(name):-value},"
                        + " or write $${\(name)} for a literal ${\(name)}",
                    offset: index)
            }
            index = close + 1
        }
        return output
    }
}
