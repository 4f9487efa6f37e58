extension TPESampler {
    /// A categorical parameter searched by ``TPESampler``: its value is an index in `0..<choices`.
    ///
    /// MIPROv2 declares two per predictor, one for the instruction and one for the demo set:
    ///
    /// ```swift
    /// let instruction = TPESampler.Parameter(name: "0_predictor_instruction", choices: 5)
    /// let demos = TPESampler.Parameter(name: "0_predictor_demos", choices: 4)
    /// ```
    public struct Parameter: Sendable, Hashable {
        /// The name the parameter's value is keyed by in suggestions and trials.
        public var name: String
        /// The number of values; suggestions lie in `0..<choices`. A parameter with one choice is always 0.
        public var choices: Int

        /// Creates a categorical parameter.
        ///
        /// - Parameters:
        ///   - name: The key of the parameter's value.
        ///   - choices: How many values it has; at least 1.
        public init(name: String, choices: Int) {
            self.name = name
            self.choices = choices
        }
    }
}
