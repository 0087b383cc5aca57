import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// `DeviceType`.
struct DeviceType: Encodable, Sendable {
    var DeviceKey: String
    var DeviceAttributes: [AttributeType]
    var DeviceCreateDate: Date
    var DeviceLastModifiedDate: Date
    var DeviceLastAuthenticatedDate: Date?
}

/// `DeviceSecretVerifierConfigType`: the SRP verifier and salt of the device's random password, base64.
struct DeviceSecretVerifierConfigType: Decodable, Sendable {
    var PasswordVerifier: String?
    var Salt: String?
}

/// ConfirmDevice: registers the SRP verifier of a device the sign-in gave a key (NewDeviceMetadata), so it
/// can prove itself later; remembered at once unless the pool asks the user first.
enum ConfirmDevice: AWSOperation {
    static let name = "ConfirmDevice"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var DeviceKey: String
        var DeviceSecretVerifierConfig: DeviceSecretVerifierConfigType?
        var DeviceName: String?
    }

    struct Response: Encodable, Sendable { var UserConfirmationNecessary: Bool }

    typealias Services = any DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let identity = try call.signedIn()
        let (device, policy) = try await services.ownDevice(request.DeviceKey, of: identity.user, pool: identity.pool)
        // Cognito answers a confirmed device before it looks at the rest of the request.
        if device.tracked.confirmed { throw AWSError(type: "DeviceKeyExistsException", message: "Device key already exists", status: 400) }
        guard let verifierBytes = request.DeviceSecretVerifierConfig?.PasswordVerifier.flatMap({ Data(base64Encoded: $0) }),
            let saltBytes = request.DeviceSecretVerifierConfig?.Salt.flatMap({ Data(base64Encoded: $0) }), !verifierBytes.isEmpty,
            !saltBytes.isEmpty
        else { throw DomainError.invalidParameter("DeviceSecretVerifierConfig needs a base64 PasswordVerifier and Salt.") }
        // Clients send padHex bytes; the maths reads the salt back exactly as hex of those bytes.
        let verifier = PasswordVerifier(saltHex: BigNumber.hexString(Array(saltBytes)), verifierHex: BigNumber.hexString(Array(verifierBytes)))
        if let name = request.DeviceName, name.isEmpty || name.count > 1024 {
            throw DomainError.validation("deviceName", "Member must have length between 1 and 1024")
        }
        let confirmed: DeviceConfirmed
        do {
            confirmed = try device.tracked.confirm(verifier: verifier, name: request.DeviceName, policy: policy)
        } catch {
            throw AWSError(type: "DeviceKeyExistsException", message: "Device key already exists", status: 400)
        }
        try await services.appendToUser(identity.user, [confirmed], call: call, actor: identity.user.sub.rawValue, clientId: identity.client.id)
        return Response(UserConfirmationNecessary: policy.onlyRememberedOnUserPrompt)
    }
}

/// GetDevice: one of the signed-in user's devices.
enum GetDevice: AWSOperation {
    static let name = "GetDevice"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var DeviceKey: String
    }

    struct Response: Encodable, Sendable { var Device: DeviceType }

    typealias Services = any DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let identity = try call.signedIn()
        let (device, _) = try await services.ownDevice(request.DeviceKey, of: identity.user, pool: identity.pool)
        return Response(Device: try services.deviceType(device, of: identity.user))
    }
}

/// ListDevices: the signed-in user's devices, oldest first, `Limit` at a time.
enum ListDevices: AWSOperation {
    static let name = "ListDevices"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var Limit: Int?
        var PaginationToken: String?
    }

    struct Response: Encodable, Sendable {
        var Devices: [DeviceType]
        var PaginationToken: String?
    }

    typealias Services = any DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> Response {
        let identity = try call.signedIn()
        let (devices, next) = try await services.deviceList(
            of: identity.user, pool: identity.pool, limit: request.Limit, token: request.PaginationToken)
        return Response(Devices: devices, PaginationToken: next)
    }
}

/// UpdateDeviceStatus: remember a device (it may then stand in for MFA) or stop remembering it.
enum UpdateDeviceStatus: AWSOperation {
    static let name = "UpdateDeviceStatus"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var DeviceKey: String
        var DeviceRememberedStatus: String?
    }

    typealias Services = any DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await services.updateDeviceStatus(
            request.DeviceKey, status: request.DeviceRememberedStatus, of: identity.user, pool: identity.pool, by: "self",
            clientId: identity.client.id, call: call)
        return EmptyResponse()
    }
}

/// ForgetDevice: the device is gone, with its verifier.
enum ForgetDevice: AWSOperation {
    static let name = "ForgetDevice"

    struct Request: Decodable, Sendable, CarriesAccessToken {
        var AccessToken: String
        var DeviceKey: String
    }

    typealias Services = any DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let identity = try call.signedIn()
        try await services.forgetDevice(
            request.DeviceKey, of: identity.user, pool: identity.pool, by: "self", clientId: identity.client.id, call: call)
        return EmptyResponse()
    }
}

/// AdminGetDevice.
enum AdminGetDevice: AWSOperation {
    static let name = "AdminGetDevice"

    struct Request: Decodable, Sendable, NamesUserPool {
        var UserPoolId: String
        var Username: String
        var DeviceKey: String
    }

    typealias Services = any ClientAccessService & DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> GetDevice.Response {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        let (device, _) = try await services.ownDevice(request.DeviceKey, of: user, pool: pool)
        return GetDevice.Response(Device: try services.deviceType(device, of: user))
    }
}

/// AdminListDevices.
enum AdminListDevices: AWSOperation {
    static let name = "AdminListDevices"

    struct Request: Decodable, Sendable, NamesUserPool {
        var UserPoolId: String
        var Username: String
        var Limit: Int?
        var PaginationToken: String?
    }

    typealias Services = any ClientAccessService & DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> ListDevices.Response {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        let (devices, next) = try await services.deviceList(of: user, pool: pool, limit: request.Limit, token: request.PaginationToken)
        return ListDevices.Response(Devices: devices, PaginationToken: next)
    }
}

/// AdminUpdateDeviceStatus.
enum AdminUpdateDeviceStatus: AWSOperation {
    static let name = "AdminUpdateDeviceStatus"

    struct Request: Decodable, Sendable, NamesUserPool {
        var UserPoolId: String
        var Username: String
        var DeviceKey: String
        var DeviceRememberedStatus: String?
    }

    typealias Services = any ClientAccessService & DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.updateDeviceStatus(
            request.DeviceKey, status: request.DeviceRememberedStatus, of: user, pool: pool, by: "admin", clientId: nil, call: call)
        return EmptyResponse()
    }
}

/// AdminForgetDevice.
enum AdminForgetDevice: AWSOperation {
    static let name = "AdminForgetDevice"

    struct Request: Decodable, Sendable, NamesUserPool {
        var UserPoolId: String
        var Username: String
        var DeviceKey: String
    }

    typealias Services = any ClientAccessService & DeviceService
    static func services(_ postern: Postern) -> Services { postern }

    static func handle(_ request: Request, call: Call, services: Services) async throws -> EmptyResponse {
        let (pool, user) = try await services.adminUser(poolId: request.UserPoolId, username: request.Username)
        try await services.forgetDevice(request.DeviceKey, of: user, pool: pool, by: "admin", clientId: nil, call: call)
        return EmptyResponse()
    }
}

extension DeviceService {
    /// The user's device, in a pool that tracks devices; ResourceNotFoundException otherwise, whoever's it is.
    func ownDevice(_ key: String, of user: UserRecord, pool: PoolRecord) async throws -> (DeviceRecord, DeviceTrackingPolicy) {
        guard key.count <= 55, key.contains("_") else {
            throw DomainError.validation("deviceKey", "Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+")
        }
        guard let policy = DeviceTrackingPolicy(settings: pool.settings) else {
            throw AWSError(
                type: "InvalidUserPoolConfigurationException", message: "Device tracking is not enabled for the user pool.", status: 400)
        }
        guard let device = try await namedDevice(key, of: user, pool: pool) else { throw DomainError.resourceNotFound("Device does not exist.") }
        return (device, policy)
    }

    /// `DeviceType`, with the device's name opened from its sealed form.
    func deviceType(_ device: DeviceRecord, of user: UserRecord) throws -> DeviceType {
        var attributes = [
            AttributeType(Name: "device_status", Value: "valid"),
            AttributeType(Name: "dev:device_remembered_status", Value: device.remembered ? "remembered" : "not_remembered"),
        ]
        if let sealed = device.sealedName, let key = try dataKey(of: user) {
            attributes.insert(AttributeType(Name: "device_name", Value: try key.open(sealed, as: String.self)), at: 1)
        }
        return DeviceType(
            DeviceKey: device.key, DeviceAttributes: attributes, DeviceCreateDate: device.createdAt, DeviceLastModifiedDate: device.updatedAt,
            DeviceLastAuthenticatedDate: device.lastAuthenticatedAt)
    }

    /// A page of the user's devices; the token is the last device key of the page when more may follow.
    func deviceList(of user: UserRecord, pool: PoolRecord, limit: Int?, token: String?) async throws -> ([DeviceType], String?) {
        guard DeviceTrackingPolicy(settings: pool.settings) != nil else {
            throw AWSError(
                type: "InvalidUserPoolConfigurationException", message: "Device tracking is not enabled for the user pool.", status: 400)
        }
        let pageSize = limit ?? 60
        guard (0...60).contains(pageSize) else { throw DomainError.validation("limit", "Member must have value less than or equal to 60") }
        if let token, try await namedDevice(token, of: user, pool: pool) == nil {
            throw DomainError.invalidParameter("Invalid pagination token.")
        }
        let page = try await directory.devices(of: user.sub, limit: max(pageSize, 1), after: token)
        let shown = pageSize == 0 ? [] : page
        let next = shown.count == pageSize && pageSize > 0 ? shown.last?.key : nil
        return (try shown.map { try deviceType($0, of: user) }, next)
    }

    func updateDeviceStatus(
        _ key: String, status: String?, of user: UserRecord, pool: PoolRecord, by: String, clientId: ClientID?, call: Call
    ) async throws {
        guard let status, ["remembered", "not_remembered"].contains(status) else {
            throw DomainError.validation("deviceRememberedStatus", "Member must satisfy enum value set: [remembered, not_remembered]")
        }
        let (device, _) = try await ownDevice(key, of: user, pool: pool)
        let events = device.tracked.setRemembered(status == "remembered", by: by)
        guard !events.isEmpty else { return }
        try await appendToUser(user, events, call: call, actor: by == "self" ? user.sub.rawValue : nil, clientId: clientId)
    }

    func forgetDevice(_ key: String, of user: UserRecord, pool: PoolRecord, by: String, clientId: ClientID?, call: Call) async throws {
        let (device, _) = try await ownDevice(key, of: user, pool: pool)
        try await appendToUser(
            user, [device.tracked.forget(by: by)], call: call, actor: by == "self" ? user.sub.rawValue : nil, clientId: clientId)
    }
}
