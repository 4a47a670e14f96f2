-- XAG link starts per platform user (`subject` = the user), in buckets of a sliding window
-- (`crate::sliding`): each start asks XAG for a pre-auth code with the platform's signature,
-- so one pilot must not use up the platform's XAG quota. Shared by every proxy instance on
-- the same database. Portable SQL, as the others.
CREATE TABLE IF NOT EXISTS xag_link_starts (
    subject TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    attempts INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
);
CREATE INDEX IF NOT EXISTS xag_link_starts_window ON xag_link_starts (window_start);
