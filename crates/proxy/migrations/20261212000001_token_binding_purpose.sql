-- What a bound token is for: `session`, a Pilot 2 sign-in (login, its renewals), or `tool`,
-- issued from the Access tokens panel for another tool. Only a session is a Pilot 2 session:
-- a tool's token, whatever its scopes, must not get a pilot's MQTT account or act for them.
-- Rows from before: a tool's token was bound without a controller and under the name its
-- pilot gave it, never Pilot 2's own (`Pilot 2 · <controller SN or browser>`).
-- Portable SQL, as the others.
ALTER TABLE token_bindings ADD COLUMN purpose TEXT NOT NULL DEFAULT 'session';
UPDATE token_bindings SET purpose = 'tool' WHERE controller_sn IS NULL AND name NOT LIKE 'Pilot 2 · %';
