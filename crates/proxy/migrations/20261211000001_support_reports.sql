-- Support reports from the diagnostics page (issue 11): the id a pilot reads out over the
-- phone (`K7M2-QX4P`), when it came, the client address the proxy saw, and the report as sent
-- (plain text, secrets already redacted by the page and refused by the proxy). Kept
-- SUPPORT_REPORT_RETENTION_DAYS.
--
-- `support_report_attempts` counts reports per client address and in all (`subject`
-- `address:<ip>` or `all`) in fixed one-hour windows (`window_start`, epoch ms), refused ones
-- included, shared by every proxy instance on the same database. Portable SQL, as the others.
CREATE TABLE IF NOT EXISTS support_reports (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    client_addr TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS support_reports_created_at ON support_reports (created_at);

CREATE TABLE IF NOT EXISTS support_report_attempts (
    subject TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);
CREATE INDEX IF NOT EXISTS support_report_attempts_window ON support_report_attempts (window_start);
