import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder

/// What the `@Signature` macro reads from the struct it is attached to: the fields in source
/// order, the instructions, the access level — or the diagnostics that explain why it cannot.
///
/// Reading never stops at the first problem, so one build shows every property that needs
/// fixing. Code is generated only when ``diagnostics`` is empty.
///
/// ```swift
/// let signature = SignatureDeclaration(attribute: node, declaration: declaration)
/// signature.diagnostics.forEach(context.diagnose)
/// ```
public struct SignatureDeclaration {
    /// The access level of the struct.
    public private(set) var accessLevel: AccessLevel = .internal
    /// The `@Input` and `@Output` properties, in source order.
    public private(set) var fields: [SignatureField] = []
    /// The instructions expression: the macro's argument, the doc comment as a string literal, or `nil`.
    public private(set) var instructions: ExprSyntax = "nil"
    /// Whether the struct already lists `TypedSignature` among its conformances.
    public private(set) var declaresConformance = false
    /// `@available` attributes of the struct, repeated on the generated extension.
    public private(set) var availability: [AttributeSyntax] = []
    /// The problems found; empty when the struct is a valid signature.
    public private(set) var diagnostics: [Diagnostic] = []

    /// The input fields, in source order.
    public var inputs: [SignatureField] { fields.filter { $0.role == .input } }
    /// The output fields, in source order.
    public var outputs: [SignatureField] { fields.filter { $0.role == .output } }

    /// Reads `declaration`, to which the `@Signature` attribute `attribute` is attached;
    /// `isNested` tells whether it is declared inside another type.
    public init(attribute: AttributeSyntax, declaration: some DeclGroupSyntax, isNested: Bool = false) {
        guard let structDecl = declaration.as(StructDeclSyntax.self) else {
            diagnoseNotAStruct(declaration.introducer)
            return
        }
        accessLevel = AccessLevel(modifiers: structDecl.modifiers)
        instructions = Self.instructions(attribute: attribute, leadingTrivia: structDecl.leadingTrivia)
        declaresConformance = (structDecl.inheritanceClause?.inheritedTypes ?? []).contains {
            ["TypedSignature", "DSPEx.TypedSignature"].contains($0.type.trimmedDescription)
        }
        availability = structDecl.attributes.compactMap { element in
            guard let attribute = element.as(AttributeSyntax.self),
                attribute.attributeName.as(IdentifierTypeSyntax.self)?.name.text == "available"
            else {
                return nil
            }
            return attribute.trimmed
        }
        if let generics = structDecl.genericParameterClause {
            diagnose(.genericStruct, at: generics)
        }
        if isNested, let modifier = structDecl.modifiers.first(where: { $0.name.tokenKind == .keyword(.private) }) {
            let replacement = modifier.name.with(\.tokenKind, .keyword(.fileprivate))
            diagnose(
                .privateNestedStruct,
                at: modifier,
                fixIts: [
                    FixIt(
                        message: SignatureMacroFixIt.replaceKeyword(old: "private", new: "fileprivate"),
                        changes: [.replace(oldNode: Syntax(modifier.name), newNode: Syntax(replacement))]
                    )
                ]
            )
        }

        var hasOutputMarker = false
        for member in structDecl.memberBlock.members {
            if let variable = member.decl.as(VariableDeclSyntax.self) {
                hasOutputMarker = read(variable) || hasOutputMarker
            } else if let conditional = member.decl.as(IfConfigDeclSyntax.self),
                Self.declaresProperties(conditional),
                let keyword = conditional.clauses.first?.poundKeyword
            {
                diagnose(.propertyInConditionalCompilation, at: keyword)
            }
        }
        if !hasOutputMarker {
            diagnose(.noOutputs, at: structDecl.name)
        }
    }

    // MARK: - Instructions

    /// The explicit argument if there is one, else the doc comment, else `nil`.
    private static func instructions(attribute: AttributeSyntax, leadingTrivia: Trivia) -> ExprSyntax {
        let explicit = attribute.arguments?.as(LabeledExprListSyntax.self)?.first { $0.label == nil }
        if let explicit, !explicit.expression.is(NilLiteralExprSyntax.self) {
            return explicit.expression.trimmed
        }
        if let documentation = DocComment.text(in: leadingTrivia) {
            return ExprSyntax(StringLiteralExprSyntax(content: documentation))
        }
        return "nil"
    }

    // MARK: - Properties

    /// Reads one property declaration; returns whether it carries an `@Output` marker.
    private mutating func read(_ variable: VariableDeclSyntax) -> Bool {
        let markers = FieldMarker.markers(in: variable.attributes)
        let hasOutputMarker = markers.contains { $0.role == .output }
        let isStatic = variable.modifiers.contains {
            $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class)
        }
        guard let marker = markers.first else {
            if !isStatic {
                for binding in variable.bindings where Self.isStored(binding) {
                    diagnoseUnmarked(binding, in: variable)
                }
            }
            return false
        }
        if isStatic || !variable.bindings.allSatisfy(Self.isStored) {
            for marker in markers {
                diagnose(
                    .markerOnNonStoredProperty(marker: marker.role.rawValue),
                    at: marker.attribute,
                    fixIts: [removing(marker, from: variable)]
                )
            }
            return hasOutputMarker
        }
        guard variable.bindings.count == 1, let binding = variable.bindings.first,
            let pattern = binding.pattern.as(IdentifierPatternSyntax.self)
        else {
            diagnose(.multipleBindings, at: variable.bindings)
            return hasOutputMarker
        }
        let name = pattern.identifier.identifier?.name ?? pattern.identifier.text
        var isValid = true
        if let conflicting = markers.first(where: { $0.role != marker.role }) {
            diagnose(
                .markedBothInputAndOutput(name: name),
                at: conflicting.attribute,
                fixIts: [removing(conflicting, from: variable)]
            )
            isValid = false
        }
        if variable.bindingSpecifier.tokenKind == .keyword(.let), binding.initializer != nil {
            let replacement = variable.bindingSpecifier.with(\.tokenKind, .keyword(.var))
            diagnose(
                .letWithInitialValue(name: name),
                at: variable.bindingSpecifier,
                fixIts: [
                    FixIt(
                        message: SignatureMacroFixIt.replaceKeyword(old: "let", new: "var"),
                        changes: [.replace(oldNode: Syntax(variable.bindingSpecifier), newNode: Syntax(replacement))]
                    )
                ]
            )
            isValid = false
        }
        guard let type = binding.typeAnnotation?.type else {
            diagnose(.missingTypeAnnotation(name: name), at: pattern)
            return hasOutputMarker
        }
        guard FieldTypeSupport.isSupported(type) else {
            diagnose(.unsupportedType(name: name, type: type.trimmedDescription), at: type)
            return hasOutputMarker
        }
        if isValid {
            fields.append(
                SignatureField(
                    name: name,
                    identifier: pattern.identifier,
                    type: type,
                    role: marker.role,
                    description: marker.description,
                    prefix: marker.prefix
                )
            )
        }
        return hasOutputMarker
    }

    /// A binding without accessors, or with only `willSet`/`didSet` observers, has storage.
    private static func isStored(_ binding: PatternBindingSyntax) -> Bool {
        switch binding.accessorBlock?.accessors {
        case nil:
            return true
        case .getter:
            return false
        case .accessors(let accessors):
            return accessors.allSatisfy {
                $0.accessorSpecifier.tokenKind == .keyword(.willSet)
                    || $0.accessorSpecifier.tokenKind == .keyword(.didSet)
            }
        }
    }

    /// Whether any clause of an `#if` block declares a property.
    private static func declaresProperties(_ conditional: IfConfigDeclSyntax) -> Bool {
        conditional.clauses.contains { clause in
            guard case .decls(let members) = clause.elements else {
                return false
            }
            return members.contains {
                $0.decl.is(VariableDeclSyntax.self)
                    || $0.decl.as(IfConfigDeclSyntax.self).map(declaresProperties) == true
            }
        }
    }

    // MARK: - Diagnostics

    private mutating func diagnose(
        _ message: SignatureMacroDiagnostic,
        at node: some SyntaxProtocol,
        fixIts: [FixIt] = []
    ) {
        diagnostics.append(Diagnostic(node: node, message: message, fixIts: fixIts))
    }

    private mutating func diagnoseNotAStruct(_ introducer: TokenSyntax) {
        var fixIts: [FixIt] = []
        if introducer.tokenKind == .keyword(.class) || introducer.tokenKind == .keyword(.actor) {
            let replacement = introducer.with(\.tokenKind, .keyword(.struct))
            fixIts.append(
                FixIt(
                    message: SignatureMacroFixIt.replaceKeyword(old: introducer.text, new: "struct"),
                    changes: [.replace(oldNode: Syntax(introducer), newNode: Syntax(replacement))]
                )
            )
        }
        diagnose(.notAStruct, at: introducer, fixIts: fixIts)
    }

    private mutating func diagnoseUnmarked(_ binding: PatternBindingSyntax, in variable: VariableDeclSyntax) {
        let identifier = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier
        let name = identifier?.identifier?.name ?? binding.pattern.trimmedDescription
        let fixIts = [FieldMarker.Role.input, .output].map { role in
            FixIt(
                message: SignatureMacroFixIt.addMarker(role.rawValue),
                changes: [.replace(oldNode: Syntax(variable), newNode: Syntax(Self.adding(role, to: variable)))]
            )
        }
        diagnose(.unmarkedStoredProperty(name: name), at: binding.pattern, fixIts: fixIts)
    }

    /// `variable` with `@Input ` or `@Output ` in front of its other modifiers.
    private static func adding(_ role: FieldMarker.Role, to variable: VariableDeclSyntax) -> VariableDeclSyntax {
        let attribute = AttributeSyntax(
            attributeName: IdentifierTypeSyntax(name: .identifier(role.rawValue)),
            trailingTrivia: .space
        )
        var marked = variable.with(\.leadingTrivia, [])
        marked.attributes.append(.attribute(attribute))
        return marked.with(\.leadingTrivia, variable.leadingTrivia)
    }

    /// A fix-it that deletes `marker` from `variable`'s attributes.
    private func removing(_ marker: FieldMarker, from variable: VariableDeclSyntax) -> FixIt {
        let remaining = variable.attributes.filter { $0.as(AttributeSyntax.self) != marker.attribute }
        let unmarked = variable.with(\.leadingTrivia, [])
            .with(\.attributes, remaining)
            .with(\.leadingTrivia, variable.leadingTrivia)
        return FixIt(
            message: SignatureMacroFixIt.removeMarker(marker.role.rawValue),
            changes: [.replace(oldNode: Syntax(variable), newNode: Syntax(unmarked))]
        )
    }
}
