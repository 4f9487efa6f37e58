import SwiftDiagnostics

/// An error the `@Signature` macro reports about the struct it is attached to.
///
/// Each case reads as one sentence that names the offending property and says what to do,
/// for example `stored property 'notes' must be marked @Input or @Output`.
public enum SignatureMacroDiagnostic: Equatable, Sendable {
    /// `@Signature` is attached to a class, enum, actor, protocol or extension.
    case notAStruct
    /// The struct has generic parameters.
    case genericStruct
    /// The struct is `private` and nested in another type, so no file-scope extension can see it.
    case privateNestedStruct
    /// No property is marked `@Output`.
    case noOutputs
    /// A stored instance property carries neither marker.
    case unmarkedStoredProperty(name: String)
    /// A property carries both `@Input` and `@Output`.
    case markedBothInputAndOutput(name: String)
    /// A marker is on a `static` or computed property.
    case markerOnNonStoredProperty(marker: String)
    /// A marked property has no type annotation.
    case missingTypeAnnotation(name: String)
    /// A marked property's type cannot be a field.
    case unsupportedType(name: String, type: String)
    /// A marked `let` has an initial value, so the generated initializer cannot set it.
    case letWithInitialValue(name: String)
    /// One declaration binds several variables (`var a, b: String`) or a tuple pattern.
    case multipleBindings
    /// Properties are declared inside an `#if` block, which the macro cannot see through.
    case propertyInConditionalCompilation
    /// `@Input` or `@Output` is attached to something other than a property.
    case markerOnNonProperty(marker: String)
}

extension SignatureMacroDiagnostic: DiagnosticMessage {
    public var message: String {
        switch self {
        case .notAStruct:
            "@Signature can only be applied to a struct"
        case .genericStruct:
            "@Signature does not support generic structs"
        case .privateNestedStruct:
            "@Signature cannot extend a private nested struct; make it fileprivate"
        case .noOutputs:
            "a signature needs at least one @Output property"
        case .unmarkedStoredProperty(let name):
            "stored property '\(name)' must be marked @Input or @Output"
        case .markedBothInputAndOutput(let name):
            "field '\(name)' cannot be both @Input and @Output"
        case .markerOnNonStoredProperty(let marker):
            "@\(marker) can only mark a stored instance property"
        case .missingTypeAnnotation(let name):
            "field '\(name)' needs an explicit type"
        case .unsupportedType(let name, let type):
            "field '\(name)' has unsupported type '\(type)'; use String, Int, Double, Bool, arrays or optionals "
                + "of them, Value, or a ValueConvertible type"
        case .letWithInitialValue(let name):
            "field '\(name)' is a 'let' with an initial value, so @Signature cannot set it; "
                + "use 'var' or remove the initial value"
        case .multipleBindings:
            "declare each @Signature field in its own 'var' or 'let'"
        case .propertyInConditionalCompilation:
            "@Signature does not support properties inside '#if' blocks"
        case .markerOnNonProperty(let marker):
            "@\(marker) can only be applied to a property"
        }
    }

    public var diagnosticID: MessageID {
        let id: String =
            switch self {
            case .notAStruct: "notAStruct"
            case .genericStruct: "genericStruct"
            case .privateNestedStruct: "privateNestedStruct"
            case .noOutputs: "noOutputs"
            case .unmarkedStoredProperty: "unmarkedStoredProperty"
            case .markedBothInputAndOutput: "markedBothInputAndOutput"
            case .markerOnNonStoredProperty: "markerOnNonStoredProperty"
            case .missingTypeAnnotation: "missingTypeAnnotation"
            case .unsupportedType: "unsupportedType"
            case .letWithInitialValue: "letWithInitialValue"
            case .multipleBindings: "multipleBindings"
            case .propertyInConditionalCompilation: "propertyInConditionalCompilation"
            case .markerOnNonProperty: "markerOnNonProperty"
            }
        return MessageID(domain: "DSPExMacros", id: id)
    }

    public var severity: DiagnosticSeverity { .error }
}
