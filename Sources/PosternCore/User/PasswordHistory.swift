import Foundation

/// The passwords a pool's `PasswordHistorySize` keeps a user from taking again: the verifiers of the last
/// `size` passwords on the user's stream (the one in use included), newest first.
///
/// The history is the stream itself (every `UserRegistered` and `PasswordChanged` carries its verifier,
/// sealed with the user's key), so nothing more is stored and deleting the user forgets it too.
public enum PasswordHistory {
    public static func recentVerifiers(_ events: [any EventPayload], size: Int) -> [Sealed<PasswordVerifier>] {
        guard size > 0 else { return [] }
        let verifiers: [Sealed<PasswordVerifier>] = events.compactMap { event in
            switch event {
            case let registered as UserRegistered: registered.sealedVerifier
            case let changed as PasswordChanged: changed.sealedVerifier
            default: nil
            }
        }
        return Array(verifiers.reversed().prefix(size))
    }
}
