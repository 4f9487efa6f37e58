import SwiftDiagnostics

/// A fix-it the `@Signature` macro offers with one of its ``SignatureMacroDiagnostic``s.
public enum SignatureMacroFixIt: Equatable, Sendable {
    /// Replace a declaration keyword (`class`, `actor`, `let`) with another one.
    case replaceKeyword(old: String, new: String)
    /// Add a field marker (`@Input` or `@Output`) to a property.
    case addMarker(String)
    /// Remove a field marker from a property.
    case removeMarker(String)
}

extension SignatureMacroFixIt: FixItMessage {
    public var message: String {
        switch self {
        case .replaceKeyword(let old, let new): "replace '\(old)' with '\(new)'"
        case .addMarker(let marker): "mark it @\(marker)"
        case .removeMarker(let marker): "remove @\(marker)"
        }
    }

    public var fixItID: MessageID {
        let id: String =
            switch self {
            case .replaceKeyword: "replaceKeyword"
            case .addMarker: "addMarker"
            case .removeMarker: "removeMarker"
            }
        return MessageID(domain: "DSPExMacros", id: id)
    }
}
