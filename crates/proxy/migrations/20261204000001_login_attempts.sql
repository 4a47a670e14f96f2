-- Login attempts per client address and per username, counted in fixed one-minute windows,
-- shared by every proxy instance on the same database (issue 10). `subject` is `address:<ip>`
-- or `username:<name>`; `window_start` epoch ms. Portable SQL, as the others.
CREATE TABLE IF NOT EXISTS login_attempts (
    subject TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);
CREATE INDEX IF NOT EXISTS login_attempts_window ON login_attempts (window_start);
