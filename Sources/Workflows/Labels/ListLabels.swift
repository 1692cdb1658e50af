import Foundation
import SIPASModel
import SIPASStoring

/// The names shown for field and channel codes, and where each comes from: the shipped catalogue,
/// or the store's own (`sipas labels set`), which overrides it.
///
/// Use it for `sipas labels list`, so a person sees which code to type in a kiosk file or a
/// profile and what a workbook will show for it.
public struct ListLabels {
    public struct Row: Sendable, Equatable {
        public var kind: Labels.Kind
        public var code: String
        public var name: String
        /// True when the store names the code (over the catalogue, or a code the catalogue lacks).
        public var fromStore: Bool
        /// The catalogue's name the store's replaces, if any.
        public var replaces: String?
        /// Whether any stored form carries the code (always false without a store).
        public var inUse = false

        public init(kind: Labels.Kind, code: String, name: String, fromStore: Bool, replaces: String?) {
            self.kind = kind
            self.code = code
            self.name = name
            self.fromStore = fromStore
            self.replaces = replaces
        }
    }

    public init() {}

    /// Every field, then every channel, sorted by code; the store's over the catalogue's. Codes
    /// the store's forms carry are marked, and listed even when nobody named them.
    public func run(store: (any ResponseReading)?) throws -> [Row] {
        let own = try store?.labels() ?? Labels()
        var used: [Labels.Kind: Set<String>] = [.field: [], .channel: []]
        if let store {
            for id in Set(try store.questionnaires().map(\.id)) {
                let codes = try store.codesInUse(questionnaireID: id)
                used[.field]!.formUnion(codes.fields)
                used[.channel]!.formUnion(codes.channels)
            }
        }
        var rows: [Row] = []
        for kind in [Labels.Kind.field, .channel] {
            let codes = Set(Labels.catalogue[kind].keys).union(own[kind].keys).union(used[kind]!).sorted()
            for code in codes {
                var row: Row
                if let name = own[kind][code] {
                    let old = Labels.catalogue[kind][code]
                    row = Row(kind: kind, code: code, name: name, fromStore: true, replaces: old == name ? nil : old)
                } else {
                    row = Row(kind: kind, code: code, name: Labels.catalogue[kind][code] ?? code, fromStore: false, replaces: nil)
                }
                row.inUse = used[kind]!.contains(code)
                rows.append(row)
            }
        }
        return rows
    }
}

/// Names a field or channel code in a store, or forgets the store's name.
public struct SetLabel {
    public var kind: Labels.Kind
    public var code: String
    /// Nil forgets the store's name (the catalogue's, if any, shows again).
    public var name: String?

    public init(kind: Labels.Kind, code: String, name: String?) {
        self.kind = kind
        self.code = code
        self.name = name
    }

    /// Checks the code and name, then stores them.
    public func run(store: any ResponseWriting) throws {
        guard kind != .unit else { throw UserError("a unit's name is recorded with the unit itself (sipas init --unit CODE --name NAME)") }
        guard !code.isEmpty, code == code.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw UserError("'\(code)' is not a code: write it as stored with the forms, without spaces around it (e.g. dat-dai, truc-tuyen)")
        }
        var label = name?.precomposedForm.trimmingCharacters(in: .whitespacesAndNewlines)
        if label?.isEmpty == true { label = nil }
        if name != nil, label == nil { throw UserError("the name of '\(code)' is empty; to forget the store's name use 'sipas labels unset'") }
        try store.setLabel(kind, code: code, label: label)
    }
}
