-- 004: scope of each unit's QMS (Decision 19 Art. 4; Circular 26 Art. 36): the TTHC catalogue
-- per unit, ISO processes as dated versions with the TTHC each covers, and legal changes.
-- Nothing here is overwritten: a process changes by a new version; a catalogue entry ends by its
-- valid_to (set once, logged). Completeness and the 3-month rule are computed on a date in
-- qms/store/scope.py, never stored.

-- A TTHC as in the national database (code 1.004946) or the province's list.
CREATE TABLE tthc (
    code        VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    field       VARCHAR,                     -- lĩnh vực
    level       VARCHAR,                     -- province / district / commune, or the text as written
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by VARCHAR NOT NULL
);

-- Which unit handles which TTHC, over which period (valid_to: first day no longer handled).
CREATE SEQUENCE unit_tthc_id START 1;
CREATE TABLE unit_tthc (
    id          BIGINT PRIMARY KEY DEFAULT nextval('unit_tthc_id'),
    unit_code   VARCHAR NOT NULL,
    tthc_code   VARCHAR NOT NULL,
    valid_from  DATE,
    valid_to    DATE,
    source      VARCHAR NOT NULL DEFAULT 'manual',   -- manual, import, demo, legal_change
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by VARCHAR NOT NULL,
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from)
);
CREATE INDEX unit_tthc_unit ON unit_tthc (unit_code);

-- Every issue, withdrawal or draft of a process is one row; the state on a date is the latest
-- issue or withdrawal dated on or before it (drafts leave the issued version in force).
CREATE SEQUENCE process_version_id START 1;
CREATE TABLE process_versions (
    id          BIGINT PRIMARY KEY DEFAULT nextval('process_version_id'),
    unit_code   VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    version_no  INTEGER NOT NULL,
    title       VARCHAR NOT NULL,
    status      VARCHAR NOT NULL CHECK (status IN ('draft', 'issued', 'withdrawn')),
    issue_no    VARCHAR,                     -- lần ban hành, as written on the document
    issued_on   DATE,                        -- date of the issue this version carries
    status_on   DATE NOT NULL,               -- the day this version takes effect
    legal_basis VARCHAR,                     -- căn cứ pháp lý
    source      VARCHAR NOT NULL DEFAULT 'manual',
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by VARCHAR NOT NULL,
    UNIQUE (unit_code, code, version_no),
    CHECK (status <> 'issued' OR issued_on = status_on)
);
CREATE INDEX process_versions_unit ON process_versions (unit_code);

-- The TTHC a process version covers; unit and process code repeated so that scope queries
-- filter and group by unit without joining the versions (millions of links nationally).
CREATE TABLE process_tthc (
    version_id   BIGINT NOT NULL,
    unit_code    VARCHAR NOT NULL,
    process_code VARCHAR NOT NULL,
    tthc_code    VARCHAR NOT NULL,
    PRIMARY KEY (version_id, tthc_code)
);
CREATE INDEX process_tthc_unit ON process_tthc (unit_code);
CREATE INDEX process_tthc_code ON process_tthc (tthc_code);

-- A legal document changing how TTHC are handled; update_due_on = effective_on + 3 calendar
-- months (computed by qms.scope.update_due when recorded).
CREATE SEQUENCE legal_change_id START 1;
CREATE TABLE legal_changes (
    id            BIGINT PRIMARY KEY DEFAULT nextval('legal_change_id'),
    document_no   VARCHAR NOT NULL UNIQUE,
    title         VARCHAR,
    signed_on     DATE,
    effective_on  DATE NOT NULL,
    update_due_on DATE NOT NULL,
    recorded_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by   VARCHAR NOT NULL,
    CHECK (update_due_on > effective_on)
);

-- The TTHC a change touches. unit_code NULL (amended only): every unit handling the TTHC.
CREATE TABLE legal_change_items (
    change_id BIGINT NOT NULL,
    tthc_code VARCHAR NOT NULL,
    effect    VARCHAR NOT NULL CHECK (effect IN ('amended', 'added', 'removed')),
    unit_code VARCHAR
);
CREATE INDEX legal_change_items_change ON legal_change_items (change_id);
