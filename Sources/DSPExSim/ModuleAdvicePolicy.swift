/// How the simulator answers a request for per-module advice — DSPy's `OfferFeedback`, which SIMBA's
/// `append_a_rule` and Refine send with the input `module_names` (a JSON list) and a `dict[str, str]` output: one
/// piece of ``ReflectionPolicy/advice`` per module named, chosen by the prompt's hash, so a rule written from a
/// comparison of trajectories can earn what the arithmetic oracle gives good advice.
struct ModuleAdvicePolicy: Sendable {
    /// The modules to advise, in the order the request lists them.
    let moduleNames: [String]

    /// Reads the module names from the request's inputs, or `nil` when there is no `module_names` list.
    init?(inputs: [(name: String, value: String)]) {
        guard let text = inputs.first(where: { $0.name == "module_names" })?.value,
            case .array(let elements)? = try? JSONParser.parse(text)
        else { return nil }
        let names = elements.compactMap { element -> String? in
            if case .string(let name) = element { return name }
            return nil
        }
        guard !names.isEmpty else { return nil }
        self.moduleNames = names
    }

    /// The advice object: each module name with one piece of advice.
    func advice(promptHash: UInt64) -> JSONValue {
        let pieces = ReflectionPolicy.advice
        return .object(
            moduleNames.enumerated().map { index, name in
                (name, .string(pieces[Int((promptHash &+ UInt64(index)) % UInt64(pieces.count))]))
            })
    }
}
