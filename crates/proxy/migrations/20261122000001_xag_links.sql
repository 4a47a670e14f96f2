-- XAG operator links, one per platform user, and the short-lived link attempts (CSRF state).
-- Portable SQL: runs on SQLite and PostgreSQL alike.
CREATE TABLE IF NOT EXISTS xag_link_attempts (
    state TEXT PRIMARY KEY,
    platform_user TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS xag_links (
    platform_user TEXT PRIMARY KEY,
    union_id TEXT NOT NULL,
    access_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    linked_at BIGINT NOT NULL
);
