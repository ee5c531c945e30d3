-- remedy store, version 1 (SQLite). Times are milliseconds since the Unix epoch (UTC), written by
-- the application clock so that tests can drive it. Keep in step with ../postgres/0001_store.sql.

-- A repository is identified by its normalised origin URL (github.com/owner/repo), or by its
-- absolute path when it has no remote.
CREATE TABLE repositories (
    id          INTEGER PRIMARY KEY,
    url         TEXT    NOT NULL UNIQUE,
    root        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One row per recorded audit: its summary, for compliance scores and their trend.
CREATE TABLE audits (
    id                 INTEGER PRIMARY KEY,
    repo_id            INTEGER NOT NULL REFERENCES repositories (id),
    recorded_at        INTEGER NOT NULL,
    actor              TEXT    NOT NULL,
    scope              TEXT    NOT NULL, -- JSON array of audited paths, relative to the root
    files              INTEGER NOT NULL,
    resources          INTEGER NOT NULL,
    clean_resources    INTEGER NOT NULL,
    policies           INTEGER NOT NULL,
    violations         INTEGER NOT NULL,
    indeterminate      INTEGER NOT NULL,
    files_with_errors  INTEGER NOT NULL,
    duration_ms        INTEGER NOT NULL,
    opened             INTEGER NOT NULL DEFAULT 0,
    reopened           INTEGER NOT NULL DEFAULT 0,
    resolved           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX audits_repo ON audits (repo_id, id);

-- Per enabled policy of a recorded audit: its checks, and the controls it maps to.
CREATE TABLE audit_policies (
    audit_id       INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    policy         TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    frameworks     TEXT    NOT NULL, -- JSON {"framework": ["control", ...]}
    passed         INTEGER NOT NULL,
    failed         INTEGER NOT NULL,
    indeterminate  INTEGER NOT NULL,
    errors         INTEGER NOT NULL,
    PRIMARY KEY (audit_id, policy)
);

-- Pull requests the agent opened; one per branch (a group of fixes).
CREATE TABLE prs (
    id          INTEGER PRIMARY KEY,
    repo_id     INTEGER NOT NULL REFERENCES repositories (id),
    branch      TEXT    NOT NULL,
    number      INTEGER,
    url         TEXT,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'merged', 'closed')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (repo_id, branch)
);

-- Violations keyed by (repository, fingerprint). The lease lives on the row: a claim is one
-- UPDATE, and a lease can never outlive or disagree with the status it belongs to.
CREATE TABLE violations (
    id                INTEGER PRIMARY KEY,
    repo_id           INTEGER NOT NULL REFERENCES repositories (id),
    fingerprint       TEXT    NOT NULL,
    policy            TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    severity          TEXT    NOT NULL,
    severity_rank     INTEGER NOT NULL, -- critical 3, high 2, medium 1, low 0
    rule              TEXT    NOT NULL,
    message           TEXT    NOT NULL,
    resource_type     TEXT    NOT NULL,
    resource_name     TEXT,
    name_expr         TEXT    NOT NULL,
    file              TEXT    NOT NULL,
    line              INTEGER NOT NULL,
    col               INTEGER NOT NULL,
    end_line          INTEGER NOT NULL,
    end_col           INTEGER NOT NULL,
    frameworks        TEXT    NOT NULL, -- JSON {"framework": ["control", ...]}
    remediation       TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('open', 'assigned', 'in_progress', 'pr_open',
                                                         'resolved', 'needs_human', 'dismissed')),
    priority          INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 4),
    assignee          TEXT,
    reason            TEXT,             -- why it was dismissed, or why it needs a human
    last_error        TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    not_before        INTEGER NOT NULL DEFAULT 0, -- retry backoff: not claimable before this
    lease_owner       TEXT,
    lease_token       INTEGER,
    lease_expires_at  INTEGER,
    pr_id             INTEGER REFERENCES prs (id),
    reopen_count      INTEGER NOT NULL DEFAULT 0,
    first_seen_at     INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    resolved_at       INTEGER,
    first_audit_id    INTEGER REFERENCES audits (id),
    last_audit_id     INTEGER REFERENCES audits (id),
    UNIQUE (repo_id, fingerprint)
);
-- The work queue, in claim order.
CREATE INDEX violations_queue ON violations (priority, severity_rank DESC, first_seen_at, id)
    WHERE status IN ('assigned', 'in_progress');
CREATE INDEX violations_status ON violations (status);
CREATE INDEX violations_policy ON violations (policy);
CREATE INDEX violations_fingerprint ON violations (fingerprint);
CREATE INDEX violations_last_audit ON violations (repo_id, last_audit_id);

-- Every change of a violation, appended in the transaction that makes it.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    violation_id  INTEGER NOT NULL REFERENCES violations (id),
    at            INTEGER NOT NULL,
    actor         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    from_status   TEXT,
    to_status     TEXT,
    data          TEXT              -- JSON, or NULL
);
CREATE INDEX events_violation ON events (violation_id, id);
CREATE INDEX events_at ON events (at);
