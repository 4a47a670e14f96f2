-- The FlightHub 2 project each pilot chose as their workspace, so reopening the page goes
-- straight through.
CREATE TABLE IF NOT EXISTS pilot_workspaces (
    platform_user TEXT PRIMARY KEY,
    project_uuid TEXT NOT NULL,
    name TEXT NOT NULL,
    introduction TEXT NOT NULL,
    chosen_at BIGINT NOT NULL
);
