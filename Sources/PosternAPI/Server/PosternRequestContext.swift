import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the peer address for event metadata.
public struct PosternRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Cognito requests are small; anything over 1 MiB is refused before it is parsed.
    public var maxUploadSize: Int { 1 << 20 }
}
