import Foundation

extension SIMBA {
    /// Python's `random.shuffle`: Fisher–Yates from the last position down, computed here so the order stays the
    /// same across toolchains.
    static func shuffle<T>(_ elements: inout [T], using random: inout SeededGenerator) {
        guard elements.count > 1 else { return }
        for position in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(position, random.next(below: position + 1))
        }
    }

    /// A Poisson-distributed count with mean `lambda`, by numpy's multiplication method (numpy uses it below
    /// 10, which is where SIMBA's demos-held-over-`maxDemos` ratios lie); 0 for a mean of 0, drawing nothing.
    static func poisson(_ lambda: Double, using random: inout SeededGenerator) -> Int {
        guard lambda > 0 else { return 0 }
        let limit = exp(-lambda)
        var count = 0
        var product = 1.0
        while true {
            product *= random.nextUnit()
            guard product > limit else { return count }
            count += 1
        }
    }

    /// `e` raised to `value`.
    static func exp(_ value: Double) -> Double {
        Foundation.exp(value)
    }
}
