import Crypto
import Foundation

/// Cognito's SECRET_HASH: `Base64(HMAC-SHA256(key: clientSecret, message: username + clientID))`
/// (auth-flows.md §3), required from app clients that have a secret.
public enum SecretHash {
    /// The expected SECRET_HASH, standard base64 with padding.
    public static func compute(username: String, clientID: String, clientSecret: String) -> String {
        let key = SymmetricKey(data: Array(clientSecret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array((username + clientID).utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// Whether `provided` is the SECRET_HASH for these values; `nil` (parameter absent) is never valid.
    /// Compares in constant time.
    public static func isValid(_ provided: String?, username: String, clientID: String, clientSecret: String) -> Bool {
        let expected = compute(username: username, clientID: clientID, clientSecret: clientSecret)
        return constantTimeEquals(expected, provided ?? "")
    }
}
