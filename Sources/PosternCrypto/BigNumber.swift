import COpenSSL

/// An immutable, non-negative arbitrary-precision integer backed by OpenSSL's `BIGNUM`.
///
/// Hand-written because no Swift package offers fast, constant-time 3072-bit modular exponentiation:
/// attaswift/BigInt needs ~30 ms for one SRP modexp where OpenSSL needs ~0.5 ms, and only OpenSSL has a
/// constant-time path (`BN_mod_exp_mont_consttime`) for secret exponents. Every operation returns a new
/// value, so an instance is never mutated after `init`; that is what makes `@unchecked Sendable` sound.
/// `==` is not constant time; compare secrets with ``paddedBytes(count:)`` and `constantTimeEquals`.
package final class BigNumber: @unchecked Sendable {
    /// The owned `BIGNUM *`; written only during `init`, then read-only.
    private let bignum: OpaquePointer

    /// Takes ownership of `bignum`.
    private init(owning bignum: OpaquePointer) {
        self.bignum = bignum
    }

    deinit {
        // Clears the limbs before freeing: some values (b, x, S) are secrets.
        BN_clear_free(bignum)
    }

    /// A small constant.
    package convenience init(_ value: UInt) {
        let result = Self.allocate()
        Self.check(BN_set_word(result, value), "BN_set_word")
        self.init(owning: result)
    }

    /// The big-endian unsigned integer in `bytes` (empty means zero).
    package convenience init(bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        let result = Self.allocate()
        let parsed = array.withUnsafeBufferPointer { buffer in
            BN_bin2bn(buffer.baseAddress, Int32(buffer.count), result)
        }
        Self.check(parsed == nil ? 0 : 1, "BN_bin2bn")
        self.init(owning: result)
    }

    /// Parses hex digits without a `0x` prefix or sign, in either case; leading zeros are allowed.
    /// Returns `nil` for an empty string or any other character.
    package convenience init?(hex: String) {
        let utf8 = hex.utf8
        guard !utf8.isEmpty, utf8.count <= Self.maxHexDigits, utf8.allSatisfy(\.isHexDigit) else { return nil }
        var parsed: OpaquePointer? = nil
        let consumed = BN_hex2bn(&parsed, hex)
        guard let parsed else { return nil }
        guard consumed == utf8.count else {
            BN_free(parsed)
            return nil
        }
        self.init(owning: parsed)
    }

    /// `count` bytes drawn from `generator`, read as a big-endian integer.
    package convenience init(randomByteCount count: Int, using generator: inout some RandomNumberGenerator) {
        var bytes = [UInt8](repeating: 0, count: count)
        for index in bytes.indices {
            bytes[index] = generator.next()
        }
        self.init(bytes: bytes)
        for index in bytes.indices {
            bytes[index] = 0
        }
    }

    /// Upper bound on accepted hex input (a 32 768-bit number), so untrusted input cannot make us allocate freely.
    package static let maxHexDigits = 8192

    // MARK: Properties

    /// Whether the value is zero.
    package var isZero: Bool { BN_is_zero(bignum) == 1 }

    /// The number of significant bits (0 for zero).
    package var bitCount: Int { Int(BN_num_bits(bignum)) }

    /// Minimal big-endian bytes; empty for zero.
    package var bytes: [UInt8] {
        let count = (bitCount + 7) / 8
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBufferPointer { buffer in
            _ = BN_bn2bin(bignum, buffer.baseAddress)
        }
        return result
    }

    /// Big-endian bytes left-padded with zeros to exactly `count`; `nil` if the value needs more.
    package func paddedBytes(count: Int) -> [UInt8]? {
        var result = [UInt8](repeating: 0, count: count)
        let written = result.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(bignum, buffer.baseAddress, Int32(count))
        }
        return written == count ? result : nil
    }

    /// Lowercase hex without leading zeros or `0x` (`"0"` for zero), as Python's `format(n, "x")`.
    package var hex: String {
        let digits = Self.hexString(bytes)
        guard let first = digits.first else { return "0" }
        return first == "0" ? String(digits.dropFirst()) : digits
    }

    // MARK: Arithmetic

    /// `self + other`.
    package static func + (lhs: BigNumber, rhs: BigNumber) -> BigNumber {
        operation("BN_add") { result, _ in BN_add(result, lhs.bignum, rhs.bignum) }
    }

    /// `self × other`.
    package static func * (lhs: BigNumber, rhs: BigNumber) -> BigNumber {
        operation("BN_mul") { result, context in BN_mul(result, lhs.bignum, rhs.bignum, context) }
    }

    /// `self mod modulus`, always non-negative. `modulus` must be non-zero.
    package func reduced(modulo modulus: BigNumber) -> BigNumber {
        Self.operation("BN_nnmod") { result, context in BN_nnmod(result, bignum, modulus.bignum, context) }
    }

    /// `(self + other) mod modulus`.
    package func adding(_ other: BigNumber, modulo modulus: BigNumber) -> BigNumber {
        Self.operation("BN_mod_add") { result, context in
            BN_mod_add(result, bignum, other.bignum, modulus.bignum, context)
        }
    }

    /// `(self − other) mod modulus`, always non-negative.
    package func subtracting(_ other: BigNumber, modulo modulus: BigNumber) -> BigNumber {
        Self.operation("BN_mod_sub") { result, context in
            BN_mod_sub(result, bignum, other.bignum, modulus.bignum, context)
        }
    }

    /// `(self × other) mod modulus`.
    package func multiplying(_ other: BigNumber, modulo modulus: BigNumber) -> BigNumber {
        Self.operation("BN_mod_mul") { result, context in
            BN_mod_mul(result, bignum, other.bignum, modulus.bignum, context)
        }
    }

    /// `self ^ exponent mod modulus` for a *public* exponent (variable time).
    package func power(_ exponent: BigNumber, modulo modulus: BigNumber) -> BigNumber {
        Self.operation("BN_mod_exp") { result, context in
            BN_mod_exp(result, bignum, exponent.bignum, modulus.bignum, context)
        }
    }

    /// `self ^ exponent mod modulus` for a *secret* exponent, in constant time. `modulus` must be odd.
    package func power(secret exponent: BigNumber, modulo modulus: BigNumber) -> BigNumber {
        let base = reduced(modulo: modulus)
        return Self.operation("BN_mod_exp_mont_consttime") { result, context in
            BN_mod_exp_mont_consttime(result, base.bignum, exponent.bignum, modulus.bignum, context, nil)
        }
    }

    // MARK: Helpers

    /// Lowercase hex of `bytes`, two digits per byte.
    package static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private static func allocate() -> OpaquePointer {
        guard let bignum = BN_new() else { fatalError("BN_new failed: out of memory") }
        return bignum
    }

    /// Runs one OpenSSL operation into a fresh `BIGNUM` with a scratch `BN_CTX`.
    private static func operation(
        _ name: StaticString,
        _ body: (_ result: OpaquePointer, _ context: OpaquePointer) -> Int32
    ) -> BigNumber {
        guard let context = BN_CTX_new() else { fatalError("BN_CTX_new failed: out of memory") }
        defer { BN_CTX_free(context) }
        let result = allocate()
        let status = body(result, context)
        if status != 1 { BN_clear_free(result) }
        check(status, name)
        return BigNumber(owning: result)
    }

    /// OpenSSL BN calls fail only on allocation failure or a zero/even modulus, both programming errors here.
    private static func check(_ status: Int32, _ name: StaticString) {
        precondition(status == 1, "OpenSSL \(name) failed")
    }
}

extension BigNumber: Equatable {
    /// Value equality (variable time).
    package static func == (lhs: BigNumber, rhs: BigNumber) -> Bool {
        BN_cmp(lhs.bignum, rhs.bignum) == 0
    }
}

extension BigNumber: CustomStringConvertible {
    /// Never the value: some big numbers here are secrets.
    package var description: String { "BigNumber(\(bitCount) bits)" }
}

extension UInt8 {
    /// ASCII `0-9`, `a-f`, `A-F`.
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
