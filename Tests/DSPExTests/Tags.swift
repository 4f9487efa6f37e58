import Testing

extension Tag {
    /// Tests against fixtures produced by DSPy itself.
    @Tag static var golden: Self
    /// End-to-end tests: real servers, processes or large datasets, slower than the rest.
    @Tag static var integration: Self
}
