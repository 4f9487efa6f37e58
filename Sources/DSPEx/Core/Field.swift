/// One named input or output of a ``Signature``.
///
/// `description` and `prefix` follow DSPy: when absent, the description is `${name}` and the
/// prefix is the title-cased name with a colon (`question_text` → `Question Text:`).
public struct Field: Sendable, Hashable {
    /// The field's name, a Python/Swift identifier.
    public var name: String
    /// The field's type.
    public var type: FieldType
    /// A short explanation shown to the model; `nil` means none was given.
    public var description: String?
    /// The label DSPy stores for the field (`Question:`).
    public var prefix: String

    /// Creates a field.
    public init(name: String, type: FieldType = .string, description: String? = nil, prefix: String? = nil) {
        self.name = name
        self.type = type
        self.description = description
        self.prefix = prefix ?? Field.inferPrefix(name)
    }

    /// Creates a field whose type is that of a Swift type (used by the `@Signature` macro).
    public init<T: ValueConvertible>(
        name: String, valueType: T.Type, description: String? = nil, prefix: String? = nil
    ) {
        self.init(name: name, type: T.fieldType, description: description, prefix: prefix)
    }

    /// The description DSPy stores: the given one, or `${name}`.
    public var descriptionOrPlaceholder: String {
        description ?? "${\(name)}"
    }

    /// DSPy's `infer_prefix`: split snake_case, camelCase and digits into words, title-case
    /// the words that are not all capitals, join with spaces, and add a colon.
    public static func inferPrefix(_ name: String) -> String {
        let characters = Array(name)
        var words: [String] = []
        var current = ""
        func flush() {
            words.append(current)
            current = ""
        }
        for (index, character) in characters.enumerated() {
            if character == "_" {
                flush()
                continue
            }
            if let previous = current.last {
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let startsCapitalisedWord = character.isUppercase && (next?.isLowercase ?? false)
                let lowerToUpper = (previous.isLowercase || previous.isNumber) && character.isUppercase
                let letterToDigit = previous.isLetter && character.isNumber
                let digitToLetter = previous.isNumber && character.isLetter
                if startsCapitalisedWord || lowerToUpper || letterToDigit || digitToLetter { flush() }
            }
            current.append(character)
        }
        flush()
        let titled = words.map { word -> String in
            let hasCased = word.contains { $0.isLetter }
            if hasCased && word == word.uppercased() { return word }
            return word.prefix(1).uppercased() + word.dropFirst().lowercased()
        }
        return titled.joined(separator: " ") + ":"
    }
}
