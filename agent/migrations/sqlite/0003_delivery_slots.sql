-- The hourly delivery budgets (prs_per_hour, commits_per_hour) shared by every run and replica
-- on this store: one row per pull request opened or commit made, kept for a day. Keep in step
-- with ../postgres/0003_delivery_slots.sql.
CREATE TABLE delivery_slots (
    id          INTEGER PRIMARY KEY,
    repository  TEXT    NOT NULL,
    kind        TEXT    NOT NULL, -- 'pr' or 'commit'
    key         TEXT    NOT NULL, -- the pull request's branch; the commit's worker
    at          INTEGER NOT NULL
);
CREATE INDEX delivery_slots_recent ON delivery_slots (repository, kind, at);
