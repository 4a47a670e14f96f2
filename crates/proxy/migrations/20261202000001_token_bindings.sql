-- Every platform token this proxy obtained (login, issue, renewal), keyed by the SHA-256 of
-- the token (hex), never the token itself: who the platform said it belongs to (`user.name`
-- at login), its `_id` (to revoke it), its name and controller, and its lifetime. A request's
-- user comes from here, not from unverified JWT claims (issue 15.1, issue 10).
--
-- Renewal is serialized per token across instances: `renewing_until` is a lease taken by an
-- atomic conditional UPDATE; `renewed_to` is the successor's hash and `renewed_token` the
-- successor sealed with a key derived from the old token (only its holder can open it), so a
-- second renewal of the same token gets the same successor. `revoked_at`: this proxy revoked
-- the token on the platform (from another controller's Access tokens panel).
-- Portable SQL: runs on SQLite and PostgreSQL alike.
CREATE TABLE IF NOT EXISTS token_bindings (
    token_hash TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    platform_user TEXT NOT NULL,
    name TEXT NOT NULL,
    controller_sn TEXT,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    renewing_until BIGINT,
    renewed_to TEXT,
    renewed_token TEXT,
    renewed_at BIGINT,
    revoked_at BIGINT
);

CREATE INDEX IF NOT EXISTS token_bindings_token_id ON token_bindings (token_id);
CREATE INDEX IF NOT EXISTS token_bindings_expires_at ON token_bindings (expires_at);
