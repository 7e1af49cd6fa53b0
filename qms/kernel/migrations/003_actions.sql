-- 003: improvement actions (ISO 9001:2008 8.5, 2015 10.2; Circular 26 Art. 37): one per major or
-- minor nonconformity of a submitted audit, or opened by hand; and every step of each as a
-- dated history row.
-- The row holds the current state (with row_version for optimistic locking); action_events holds
-- every step with its business date and the due date in force after it, so the status and the
-- overdue flag of any action on any past date are replayed from it (qms/store/action_queries.py).
-- No foreign keys: DuckDB refuses updates of referenced rows.

CREATE SEQUENCE action_id START 1;
CREATE TABLE actions (
    id                     BIGINT PRIMARY KEY DEFAULT nextval('action_id'),
    unit_code              VARCHAR NOT NULL,
    finding_id             BIGINT,                -- findings.id; NULL for an action opened by hand
    audit_id               BIGINT,                -- the audit (or inspection) it follows, when known
    item_ref               VARCHAR,
    standard               VARCHAR,               -- numbering of clause ('2008'/'2015')
    clause                 VARCHAR,
    recurrence_key         VARCHAR,               -- unit|standard|clause (qms.actions.recurrence_key)
    source                 VARCHAR NOT NULL CHECK (source IN ('internal_audit', 'inspection', 'complaint', 'management_review', 'self_detected')),
    type                   VARCHAR NOT NULL CHECK (type IN ('correction', 'corrective', 'preventive', 'improvement')),
    description            VARCHAR NOT NULL,
    root_cause             VARCHAR,
    owner_name             VARCHAR,               -- the person responsible; NULL until someone is named
    owner_unit_code        VARCHAR NOT NULL,
    opened_on              DATE NOT NULL,         -- the finding's date, the minutes' date or the day the issue was raised
    due_date               DATE NOT NULL,
    status                 VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'verified', 'recurred', 'cancelled')),
    done_description       VARCHAR,
    done_on                DATE,
    verified_by            VARCHAR,
    verified_on            DATE,
    verification_note      VARCHAR,
    not_effective_count    INTEGER NOT NULL DEFAULT 0,
    cancel_reason          VARCHAR,
    cancelled_on           DATE,
    recurred_by_finding_id BIGINT,               -- the later finding of the same clause at the unit
    recurred_on            DATE,
    row_version            INTEGER NOT NULL DEFAULT 1,   -- bumped by every write: optimistic locking
    created_at             TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by             VARCHAR NOT NULL,
    updated_at             TIMESTAMP,
    updated_by             VARCHAR,
    CHECK (due_date >= opened_on)
);
CREATE INDEX actions_unit ON actions (unit_code);
CREATE INDEX actions_finding ON actions (finding_id);

CREATE SEQUENCE action_event_id START 1;
CREATE TABLE action_events (
    id          BIGINT PRIMARY KEY DEFAULT nextval('action_event_id'),  -- recorded order
    action_id   BIGINT NOT NULL,
    step        VARCHAR NOT NULL CHECK (step IN ('open', 'start', 'done', 'verify_effective', 'verify_not_effective', 'cancel', 'recur', 'edit')),
    from_status VARCHAR,
    to_status   VARCHAR NOT NULL,
    on_date     DATE NOT NULL,                  -- the business date (never before the previous step's)
    due_date    DATE NOT NULL,                  -- the due date in force from this step on
    note        VARCHAR,
    actor       VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE INDEX action_events_action ON action_events (action_id);
