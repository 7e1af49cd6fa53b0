-- 001: units (effective-dated), their names over time, the QMS lifecycle as dated events,
-- yearly targets, settings and the append-only change log.
-- Status on a date is never stored: it is derived from qms_events (see qms/store/coverage.py).

CREATE TABLE units (
    code        VARCHAR PRIMARY KEY,          -- GSO code (districts, communes) or the project's code (departments)
    level       VARCHAR NOT NULL CHECK (level IN ('province', 'department', 'district', 'commune')),
    kind        VARCHAR NOT NULL,             -- tinh, so, chi_cuc, huyen, thanh_pho, thi_xa, xa, phuong, thi_tran, ...
    parent_code VARCHAR,                      -- district of a commune, province of a district or department
    valid_from  DATE,                         -- first day the unit exists (NULL: since before records)
    valid_to    DATE,                         -- first day it no longer exists (merged, dissolved); NULL: still exists
    in_plan     BOOLEAN NOT NULL DEFAULT TRUE, -- must (or, for communes, plans to) run a QMS
    lifecycle_version INTEGER NOT NULL DEFAULT 0, -- bumped by every event write: serialises writers per unit
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to > valid_from)
);

-- A unit's name over time: the name on a date is the row with the latest valid_from <= date.
CREATE TABLE unit_names (
    code       VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    valid_from DATE NOT NULL,                 -- DATE '1900-01-01' for the name it always had
    PRIMARY KEY (code, valid_from)
);

CREATE SEQUENCE qms_event_id START 1;
CREATE TABLE qms_events (
    id              BIGINT PRIMARY KEY DEFAULT nextval('qms_event_id'),
    unit_code       VARCHAR NOT NULL,
    event_type      VARCHAR NOT NULL CHECK (event_type IN (
                        'build_started', 'applied', 'internal_audit', 'management_review',
                        'effectiveness_confirmed', 'announced', 're_announced',
                        'standard_changed', 'withdrawn')),
    event_date      DATE NOT NULL,
    decision_no     VARCHAR,
    standard        VARCHAR CHECK (standard IS NULL OR standard IN ('2008', '2015')),
    scope_note      VARCHAR,
    source          VARCHAR NOT NULL DEFAULT 'manual',   -- manual, demo, import, audit
    date_estimated  BOOLEAN NOT NULL DEFAULT FALSE,      -- the date stands in for an unknown one
    recorded_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by     VARCHAR NOT NULL
);
CREATE INDEX qms_events_unit ON qms_events (unit_code);

CREATE TABLE targets (
    level       VARCHAR NOT NULL CHECK (level IN ('department', 'district', 'commune')),
    year        INTEGER NOT NULL CHECK (year BETWEEN 2014 AND 2100),
    target_pct  DOUBLE NOT NULL CHECK (target_pct >= 0 AND target_pct <= 100),
    is_sample   BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_by  VARCHAR NOT NULL,
    PRIMARY KEY (level, year)
);

CREATE TABLE settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE SEQUENCE change_log_id START 1;
CREATE TABLE change_log (
    id         BIGINT PRIMARY KEY DEFAULT nextval('change_log_id'),
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,                -- insert, update, import, ...
    entity     VARCHAR NOT NULL,                -- table or record kind
    entity_key VARCHAR NOT NULL,
    before     JSON,
    after      JSON
);
