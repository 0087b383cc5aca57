/// Compares two byte sequences in time that depends only on their lengths, never on their contents.
///
/// Use it for every comparison involving a MAC, signature, verifier or hash an attacker can probe
/// (SECRET_HASH, PASSWORD_CLAIM_SIGNATURE, SigV4 signatures). The lengths of such values are public.
@inline(never)
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) {
        difference |= x ^ y
    }
    return difference == 0
}

/// Compares the UTF-8 bytes of two strings in constant time (see the byte overload).
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    constantTimeEquals(a.utf8, b.utf8)
}
