/// An addition whose answer a feedback record gives: "What is 12 + 30?" followed, before the next question, by
/// "The expected answer is 42" (or "answered 42, which is the expected answer").
struct ArithmeticLesson: Sendable, Equatable {
    var problem: ArithmeticProblem
    var sum: Int

    /// "12 + 30 = 42"
    var equation: String { "\(self.problem.a) + \(self.problem.b) = \(self.sum)" }

    /// "For example, 12 + 30 = 42."
    var sentence: String { "For example, \(self.equation)." }

    /// The lessons in `text`, one per question whose feedback states the expected answer.
    static func all(in text: PromptText) -> [ArithmeticLesson] {
        let questions = ArithmeticProblem.all(in: text)
        return questions.enumerated().compactMap { index, question in
            let end = index + 1 < questions.count ? questions[index + 1].start : text.count
            return Self.expectedAnswer(in: text, from: question.end, before: end).map {
                ArithmeticLesson(problem: question.problem, sum: $0)
            }
        }
    }

    private static func expectedAnswer(in text: PromptText, from start: Int, before end: Int) -> Int? {
        if let marker = text.find(Array("expected answer is ".utf8), from: start, before: end) {
            var position = marker + 19
            return ArithmeticProblem.integer(in: text, at: &position)
        }
        if let marker = text.find(Array(", which is the expected answer".utf8), from: start, before: end),
            let answered = text.find(Array("answered ".utf8), from: start, before: marker)
        {
            var position = answered + 9
            return ArithmeticProblem.integer(in: text, at: &position)
        }
        return nil
    }
}
