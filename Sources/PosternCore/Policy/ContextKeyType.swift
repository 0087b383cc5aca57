import Foundation

/// The type of a context entry passed to SimulatePrincipalPolicy / SimulateCustomPolicy (`ContextKeyType`):
/// whether the key holds one value or a list, and which values parse as the type.
public enum ContextKeyType: String, Sendable, CaseIterable {
    case string, stringList, numeric, numericList, boolean, booleanList, ip, ipList, binary, binaryList, date, dateList

    /// Whether the key may hold several values.
    public var isList: Bool { rawValue.hasSuffix("List") }

    /// Whether `value` is one of this type, parsed as the condition operators parse request values.
    public func accepts(_ value: String) -> Bool {
        switch self {
        case .string, .stringList: true
        case .numeric, .numericList: ConditionValueParsing.number(value) != nil
        case .boolean, .booleanList: ConditionValueParsing.bool(value) != nil
        case .ip, .ipList: ConditionValueParsing.ipRange(value) != nil
        case .binary, .binaryList: ConditionValueParsing.binary(value) != nil
        case .date, .dateList: ConditionValueParsing.date(value) != nil
        }
    }
}
