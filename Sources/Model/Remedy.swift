/// What a person can do about a refusal, named without the words of any front end.
///
/// Library errors carry a remedy instead of naming command-line flags; the CLI (or a web page)
/// phrases it in its own terms, e.g. ``unitCode`` becomes "or pass --unit CODE".
public enum Remedy: String, Sendable, Equatable {
    /// Say which questionnaire a file answers (a CSV file does not say).
    case questionnaire
    /// Give the unit code for rows that have none.
    case unitCode
    /// Create the store first and record the unit.
    case createStore
    /// Make a data-entry template for the questionnaire.
    case makeTemplate
    /// Choose another reporting period.
    case period
    /// Use the touch-screen (web) kiosk where there is no terminal.
    case webKiosk
    /// Say that a resubmitted report replaces the one stored for the same unit and period.
    case replaceSubmission
}

/// An error a person can act on: a sentence to show and, where there is one, what to do.
///
/// Use it in use cases and adapters for refusals that are not problems of one input cell or line
/// (those are ``Problem``): a missing file, an empty store, a questionnaire the store lacks.
public struct UserError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var remedy: Remedy?

    public init(_ message: String, remedy: Remedy? = nil) {
        self.message = message
        self.remedy = remedy
    }

    public var description: String { message }
}
