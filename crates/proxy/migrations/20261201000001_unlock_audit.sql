-- Remote unlocking (issue 8): every license switch and update a pilot asked for, whatever the
-- outcome, and the short-lived download tokens of offline license files.
-- Portable SQL: runs on SQLite and PostgreSQL alike (booleans as INTEGER 0/1, ids as text).
CREATE TABLE IF NOT EXISTS unlock_audit (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    platform_user TEXT NOT NULL,
    gateway_sn TEXT NOT NULL,
    -- 'switch' or 'update'
    action TEXT NOT NULL,
    license_id BIGINT,
    old_enabled INTEGER,
    new_enabled INTEGER,
    -- updates: 'offline_file' or 'flysafe'; file_name: the offline file sent
    source TEXT,
    file_name TEXT,
    -- the device's `result`, when it answered
    result_code BIGINT,
    -- 'ok' or the error code the pilot got (device_timeout, device_offline, device_error, …)
    outcome TEXT NOT NULL
);

CREATE INDEX IF NOT EXISTS unlock_audit_gateway
    ON unlock_audit (gateway_sn, action, license_id, at_ms);

CREATE TABLE IF NOT EXISTS unlock_file_tokens (
    token TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
