-- 002: audits and inspections run against a pinned checklist template, their answers and the
-- findings a submitted audit yields.
-- An audit pins the template's id, version and the SHA-256 of its file; the validated template is
-- kept once per hash in checklist_snapshots, so an old audit reads the same after the file changes
-- or disappears.  Answers and findings carry the unit code and the clause they cite, so that clause
-- heatmaps and per-unit lists never join through the big tables.

CREATE TABLE checklist_snapshots (
    hash        VARCHAR PRIMARY KEY,          -- SHA-256 of the template file's bytes
    template_id VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    standard    VARCHAR NOT NULL,             -- iso9001_2008, iso9001_2015, legal
    content     JSON NOT NULL,                -- the validated template (qms.checklists.ChecklistTemplate)
    pinned_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE audit_id START 1;
CREATE TABLE audits (
    id               BIGINT PRIMARY KEY DEFAULT nextval('audit_id'),
    unit_code        VARCHAR NOT NULL,
    template_id      VARCHAR NOT NULL,
    template_version INTEGER NOT NULL,
    template_hash    VARCHAR NOT NULL,        -- checklist_snapshots.hash
    standard         VARCHAR NOT NULL CHECK (standard IN ('2008', '2015')),  -- clause numbering of the answers
    item_count       INTEGER NOT NULL,
    answered         INTEGER NOT NULL DEFAULT 0,   -- items with a result, kept by every save
    kind             VARCHAR NOT NULL CHECK (kind IN ('internal_audit', 'inspection_records', 'inspection_site', 'self_assessment')),
    auditor          VARCHAR NOT NULL,
    audit_date       DATE NOT NULL,
    status           VARCHAR NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'closed')),
    row_version      INTEGER NOT NULL DEFAULT 1,   -- bumped by every write: optimistic locking
    score_pct        DOUBLE,                  -- set on submit (qms.audits.score), NULL while a draft
    event_id         BIGINT,                  -- the qms_events 'internal_audit' row this audit counts as
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by       VARCHAR NOT NULL,
    updated_at       TIMESTAMP,
    updated_by       VARCHAR,
    submitted_at     TIMESTAMP,
    submitted_by     VARCHAR,
    closed_at        TIMESTAMP,
    closed_by        VARCHAR
);
CREATE INDEX audits_unit ON audits (unit_code);

CREATE TABLE audit_answers (
    audit_id      BIGINT NOT NULL,
    item_ref      VARCHAR NOT NULL,
    unit_code     VARCHAR NOT NULL,
    section_ref   VARCHAR NOT NULL,
    standard      VARCHAR,                    -- numbering of clause ('2008'/'2015'); NULL when no clause
    clause        VARCHAR,
    weight        DOUBLE NOT NULL,
    result        VARCHAR CHECK (result IS NULL OR result IN ('conform', 'minor', 'major', 'observation', 'not_applicable')),
    note          VARCHAR,
    evidence      VARCHAR,
    saved_version INTEGER NOT NULL,           -- the audit's row_version this answer's last write created
    answered_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    answered_by   VARCHAR NOT NULL,
    PRIMARY KEY (audit_id, item_ref)
);
CREATE INDEX audit_answers_audit ON audit_answers (audit_id);

CREATE SEQUENCE finding_id START 1;
CREATE TABLE findings (
    id           BIGINT PRIMARY KEY DEFAULT nextval('finding_id'),  -- stable: actions reference it
    audit_id     BIGINT NOT NULL,
    audit_kind   VARCHAR NOT NULL,
    unit_code    VARCHAR NOT NULL,
    item_ref     VARCHAR NOT NULL,
    section_ref  VARCHAR NOT NULL,
    standard     VARCHAR,
    clause       VARCHAR,
    grade        VARCHAR NOT NULL CHECK (grade IN ('major', 'minor', 'observation')),
    note         VARCHAR NOT NULL,
    evidence     VARCHAR,
    found_on     DATE NOT NULL,               -- the audit date
    created_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at   TIMESTAMP,
    retracted_at TIMESTAMP,                   -- set when a reopened audit is resubmitted without it
    UNIQUE (audit_id, item_ref)
);
CREATE INDEX findings_unit ON findings (unit_code);
