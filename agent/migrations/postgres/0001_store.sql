-- remedy store, version 1 (PostgreSQL). Times are milliseconds since the Unix epoch (UTC), written by
-- the application clock so that tests can drive it. Keep in step with ../sqlite/0001_store.sql.

-- A repository is identified by its normalised origin URL (github.com/owner/repo), or by its
-- absolute path when it has no remote.
CREATE TABLE repositories (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url         TEXT    NOT NULL UNIQUE,
    root        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

-- One row per recorded audit: its summary, for compliance scores and their trend.
CREATE TABLE audits (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo_id            BIGINT  NOT NULL REFERENCES repositories (id),
    recorded_at        BIGINT  NOT NULL,
    actor              TEXT    NOT NULL,
    scope              TEXT    NOT NULL, -- JSON array of audited paths, relative to the root
    files              BIGINT  NOT NULL,
    resources          BIGINT  NOT NULL,
    clean_resources    BIGINT  NOT NULL,
    policies           BIGINT  NOT NULL,
    violations         BIGINT  NOT NULL,
    indeterminate      BIGINT  NOT NULL,
    files_with_errors  BIGINT  NOT NULL,
    duration_ms        BIGINT  NOT NULL,
    opened             BIGINT  NOT NULL DEFAULT 0,
    reopened           BIGINT  NOT NULL DEFAULT 0,
    resolved           BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX audits_repo ON audits (repo_id, id);

-- Per enabled policy of a recorded audit: its checks, and the controls it maps to.
CREATE TABLE audit_policies (
    audit_id       BIGINT  NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    policy         TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    frameworks     TEXT    NOT NULL, -- JSON {"framework": ["control", ...]}
    passed         BIGINT  NOT NULL,
    failed         BIGINT  NOT NULL,
    indeterminate  BIGINT  NOT NULL,
    errors         BIGINT  NOT NULL,
    PRIMARY KEY (audit_id, policy)
);

-- Pull requests the agent opened; one per branch (a group of fixes).
CREATE TABLE prs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo_id     BIGINT  NOT NULL REFERENCES repositories (id),
    branch      TEXT    NOT NULL,
    number      BIGINT,
    url         TEXT,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'merged', 'closed')),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (repo_id, branch)
);

-- Violations keyed by (repository, fingerprint). The lease lives on the row: a claim is one
-- UPDATE, and a lease can never outlive or disagree with the status it belongs to.
CREATE TABLE violations (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo_id           BIGINT  NOT NULL REFERENCES repositories (id),
    fingerprint       TEXT    NOT NULL,
    policy            TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    severity          TEXT    NOT NULL,
    severity_rank     BIGINT  NOT NULL, -- critical 3, high 2, medium 1, low 0
    rule              TEXT    NOT NULL,
    message           TEXT    NOT NULL,
    resource_type     TEXT    NOT NULL,
    resource_name     TEXT,
    name_expr         TEXT    NOT NULL,
    file              TEXT    NOT NULL,
    line              BIGINT  NOT NULL,
    col               BIGINT  NOT NULL,
    end_line          BIGINT  NOT NULL,
    end_col           BIGINT  NOT NULL,
    frameworks        TEXT    NOT NULL, -- JSON {"framework": ["control", ...]}
    remediation       TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('open', 'assigned', 'in_progress', 'pr_open',
                                                         'resolved', 'needs_human', 'dismissed')),
    priority          BIGINT  NOT NULL CHECK (priority BETWEEN 0 AND 4),
    assignee          TEXT,
    reason            TEXT,             -- why it was dismissed, or why it needs a human
    last_error        TEXT,
    attempts          BIGINT  NOT NULL DEFAULT 0,
    not_before        BIGINT  NOT NULL DEFAULT 0, -- retry backoff: not claimable before this
    lease_owner       TEXT,
    lease_token       BIGINT,
    lease_expires_at  BIGINT,
    pr_id             BIGINT  REFERENCES prs (id),
    reopen_count      BIGINT  NOT NULL DEFAULT 0,
    first_seen_at     BIGINT  NOT NULL,
    last_seen_at      BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    resolved_at       BIGINT,
    first_audit_id    BIGINT  REFERENCES audits (id),
    last_audit_id     BIGINT  REFERENCES audits (id),
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
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    violation_id  BIGINT  NOT NULL REFERENCES violations (id),
    at            BIGINT  NOT NULL,
    actor         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    from_status   TEXT,
    to_status     TEXT,
    data          TEXT              -- JSON, or NULL
);
CREATE INDEX events_violation ON events (violation_id, id);
CREATE INDEX events_at ON events (at);
