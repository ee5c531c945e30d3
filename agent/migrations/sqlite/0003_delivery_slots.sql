-- The hourly delivery budgets (prs_per_hour, commits_per_hour) shared by every run and replica
-- on this store, kept for a day. Keep in step with ../postgres/0003_delivery_slots.sql.

-- One row per pull request opened: few per hour, and each names its branch (the forge's own
-- list of recent pull requests is matched against them).
CREATE TABLE delivery_slots (
    id          INTEGER PRIMARY KEY,
    repository  TEXT    NOT NULL,
    kind        TEXT    NOT NULL, -- 'pr'
    key         TEXT    NOT NULL, -- the pull request's branch
    at          INTEGER NOT NULL
);
CREATE INDEX delivery_slots_recent ON delivery_slots (repository, kind, at);

-- Commits, counted per minute: thousands an hour, and an hour is at most 61 rows to add up.
CREATE TABLE delivery_counts (
    repository  TEXT    NOT NULL,
    kind        TEXT    NOT NULL, -- 'commit'
    minute      INTEGER NOT NULL, -- milliseconds since the epoch / 60,000
    count       INTEGER NOT NULL,
    PRIMARY KEY (repository, kind, minute)
);
