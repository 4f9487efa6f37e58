import Foundation

/// A compile run's score per trial as an SVG drawn by the server: minibatch evaluations as hollow grey circles,
/// full evaluations as filled blue dots, and the best full score so far as a stepped line.
public struct TrialPlot: Sendable, Hashable {
    /// One evaluated trial.
    public struct Point: Sendable, Hashable {
        /// The trial's number (x).
        public var trial: Int
        /// Its score, 0 to 1 (y).
        public var score: Double
        /// Whether it was scored on the full validation set rather than a minibatch.
        public var full: Bool
        /// How many examples it was scored on.
        public var examples: Int?

        /// Creates a point.
        public init(trial: Int, score: Double, full: Bool, examples: Int? = nil) {
            self.trial = trial
            self.score = score
            self.full = full
            self.examples = examples
        }
    }

    /// The trials, in order.
    public var points: [Point]

    /// Creates a plot.
    public init(points: [Point]) {
        self.points = points
    }

    static let width = 760.0
    static let height = 300.0
    static let left = 48.0
    static let right = 16.0
    static let top = 30.0
    static let bottom = 40.0

    /// The best full score after each full evaluation, as (trial, best).
    public var bestSoFar: [(trial: Int, best: Double)] {
        var best = -Double.infinity
        var steps: [(Int, Double)] = []
        for point in points where point.full {
            best = max(best, point.score)
            steps.append((point.trial, best))
        }
        return steps
    }

    /// The plot as an `<svg>` element.
    public func svg() -> HTML {
        let trials = points.map(\.trial)
        let minTrial = Double(trials.min() ?? 0)
        let maxTrial = Double(max(trials.max() ?? 1, (trials.min() ?? 0) + 1))
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        func x(_ trial: Int) -> Double { Self.left + (Double(trial) - minTrial) / (maxTrial - minTrial) * plotWidth }
        func y(_ score: Double) -> Double { Self.top + (1 - min(1, max(0, score))) * plotHeight }
        func number(_ value: Double) -> String { String(format: "%.1f", value) }

        var parts: [HTML] = []
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            parts.append(
                """
                <line x1="\(number(Self.left))" x2="\(number(Self.width - Self.right))" y1="\(number(y(tick)))" \
                y2="\(number(y(tick)))" stroke="#e3e6ec"/><text x="\(number(Self.left - 6))" \
                y="\(number(y(tick) + 4))" text-anchor="end" font-size="11" fill="#6b7385">\(Int(tick * 100))%</text>
                """)
        }
        let tickCount = min(10, max(1, Int(maxTrial - minTrial)))
        for index in 0...tickCount {
            let trial = Int((minTrial + (maxTrial - minTrial) * Double(index) / Double(tickCount)).rounded())
            parts.append(
                """
                <text x="\(number(x(trial)))" y="\(number(Self.height - Self.bottom + 16))" text-anchor="middle" \
                font-size="11" fill="#6b7385">\(trial)</text>
                """)
        }
        parts.append(
            """
            <text x="\(number(Self.left + plotWidth / 2))" y="\(number(Self.height - 6))" text-anchor="middle" \
            font-size="12" fill="#1d2330">trial</text>
            """)
        let steps = bestSoFar
        if !steps.isEmpty {
            var path = "M\(number(x(steps[0].trial))),\(number(y(steps[0].best)))"
            for step in steps.dropFirst() { path += " H\(number(x(step.trial))) V\(number(y(step.best)))" }
            if let last = trials.max() { path += " H\(number(x(last)))" }
            parts.append("<path class=\"best\" d=\"\(path)\" fill=\"none\" stroke=\"#067647\" stroke-width=\"2\"/>")
        }
        for point in points {
            let title: HTML =
                "<title>trial \(point.trial) · \(point.full ? "full" : "minibatch") · \(String(format: "%.3f", point.score))\(point.examples.map { " on \($0) examples" } ?? "")</title>"
            if point.full {
                parts.append(
                    """
                    <circle class="full" cx="\(number(x(point.trial)))" cy="\(number(y(point.score)))" r="5" \
                    fill="#3451b2">\(title)</circle>
                    """)
            } else {
                parts.append(
                    """
                    <circle class="minibatch" cx="\(number(x(point.trial)))" cy="\(number(y(point.score)))" r="4" \
                    fill="none" stroke="#8a93a6" stroke-width="1.5">\(title)</circle>
                    """)
            }
        }
        let legendY = number(10)
        parts.append(
            """
            <g font-size="11" fill="#1d2330"><circle cx="\(number(Self.left + 12))" cy="\(legendY)" r="4" fill="none" \
            stroke="#8a93a6" stroke-width="1.5"/><text x="\(number(Self.left + 20))" y="14">minibatch</text>\
            <circle cx="\(number(Self.left + 92))" cy="\(legendY)" r="5" fill="#3451b2"/><text \
            x="\(number(Self.left + 100))" y="14">full evaluation</text><line \
            x1="\(number(Self.left + 198))" x2="\(number(Self.left + 222))" y1="\(legendY)" y2="\(legendY)" \
            stroke="#067647" stroke-width="2"/><text x="\(number(Self.left + 228))" y="14">best so far</text></g>
            """)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" id="trial-plot" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" \
            width="\(Int(Self.width))" height="\(Int(Self.height))" role="img" aria-label="score per trial">\(parts)</svg>
            """
    }
}
