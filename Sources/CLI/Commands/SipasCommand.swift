import ArgumentParser

public struct SipasCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "sipas")
    public init() {}
}
