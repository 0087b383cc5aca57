import Foundation
import PosternCore
import PosternCrypto
import PosternStore

extension AttributeValidator {
    init(pool: PoolRecord) { self.init(settings: pool.settings) }

    /// Validates attributes as the wire gives them (a missing `Value` is an empty one).
    func validate(_ attributes: [AttributeType], writer: Writer, requireAll: Bool) throws -> [String: String] {
        try validate(attributes.map(UserAttribute.init), writer: writer, requireAll: requireAll)
    }
}

extension UserAttribute {
    init(_ wire: AttributeType) { self.init(name: wire.Name, value: wire.Value ?? "") }
}
