-- Devices a user signed in from, in pools that track them (DeviceConfiguration): registered by a sign-in
-- (NewDeviceMetadata), confirmed with an SRP verifier for the device's random password (ConfirmDevice),
-- remembered or not, and the DEVICE_SRP_AUTH challenge waiting for an answer, if any.
CREATE TABLE directory.devices (
    device_key             text        PRIMARY KEY,
    sub                    text        NOT NULL,
    pool_id                text        NOT NULL,
    group_key              text        NOT NULL,
    sealed_verifier        text,
    sealed_name            text,
    remembered             boolean     NOT NULL DEFAULT false,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    last_authenticated_at  timestamptz,
    pending_challenge      text,
    pending_expires_at     timestamptz
);
CREATE INDEX devices_sub_idx ON directory.devices (sub, created_at, device_key);
