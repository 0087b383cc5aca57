import Foundation

/// Loads JSON fixtures from `Tests/Fixtures/` at the repository root.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func load<Value: Decodable>(_ type: Value.Type, from name: String) throws -> Value {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(type, from: data)
    }
}

/// `checks/srp_vectors.json` from the spec, produced by `srp_vectors.py` (which agrees with pycognito).
struct SRPVectors: Decodable {
    struct SecretHashVector: Decodable {
        let username: String
        let clientId: String
        let clientSecret: String
        let value: String
    }

    let poolId: String
    let userIdForSrp: String
    let password: String
    let saltHex: String
    let k: String
    let aHex: String
    let bHex: String
    let verifierHex: String
    let srpAHex: String
    let srpBHex: String
    let uHex: String
    let sHex: String
    let hkdfKeyHex: String
    let secretBlock: String
    let timestamp: String
    let passwordClaimSignature: String
    let secretHash: SecretHashVector

    static func load() throws -> SRPVectors {
        try Fixtures.load(SRPVectors.self, from: "srp_vectors.json")
    }
}

/// A deterministic generator (SplitMix64) so tests that draw salts and `b` are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
