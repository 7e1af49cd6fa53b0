-- 015: the province's inspection year (Circular 26/2014/TT-BKHCN Art. 33-39): the yearly plan
-- (Mẫu 19 KHKT) with its items and teams, its approval and numbered amendments, the minutes
-- (Mẫu 21 BBKT) of each inspection with its results per checklist section and its requests, and
-- the units' corrective reports against those requests.
-- A plan is a draft until approved (decision number and date, version 1); every later change is
-- an amendment (version + 1, a reason, the items as they stood after it) kept in
-- inspection_plan_versions: nothing is edited silently.  An item's status is derived
-- (qms.inspections.rules.item_status), never stored.

CREATE SEQUENCE inspection_plan_id START 1;
CREATE TABLE inspection_plans (
    id           BIGINT PRIMARY KEY DEFAULT nextval('inspection_plan_id'),
    year         INTEGER NOT NULL UNIQUE CHECK (year BETWEEN 2014 AND 2100),
    status       VARCHAR NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
    version      INTEGER NOT NULL DEFAULT 0,      -- 0 while a draft; 1 when approved; +1 per amendment
    decision_no  VARCHAR,                         -- the approving decision (set on approval)
    approved_on  DATE,
    row_version  INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by   VARCHAR NOT NULL,
    approved_by  VARCHAR
);

CREATE SEQUENCE inspection_item_id START 1;
CREATE TABLE inspection_plan_items (
    id            BIGINT PRIMARY KEY DEFAULT nextval('inspection_item_id'),
    plan_id       BIGINT NOT NULL,
    unit_code     VARCHAR NOT NULL,
    mode          VARCHAR NOT NULL CHECK (mode IN ('records', 'on_site')),
    month         INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    risk_score    INTEGER NOT NULL DEFAULT 0,
    reasons       JSON,                           -- [[reason, figure], ...] when proposed (qms.inspections.ranking)
    added_in      INTEGER NOT NULL DEFAULT 0,     -- the plan version that added it (0: the draft)
    cancelled_in  INTEGER,                        -- the plan version that cancelled it
    cancel_reason VARCHAR,
    audit_id      BIGINT,                         -- the checklist started for it (audits.id)
    UNIQUE (plan_id, unit_code)
);

CREATE TABLE inspection_team_members (
    item_id   BIGINT NOT NULL,
    username  VARCHAR NOT NULL,
    position  INTEGER NOT NULL,                   -- 0: the team leader
    PRIMARY KEY (item_id, username)
);

CREATE TABLE inspection_plan_versions (
    plan_id     BIGINT NOT NULL,
    version     INTEGER NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('approval', 'amendment')),
    decided_on  DATE NOT NULL,
    decision_no VARCHAR,
    reason      VARCHAR,
    items       JSON NOT NULL,                    -- the live items after this version
    recorded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    recorded_by VARCHAR NOT NULL,
    PRIMARY KEY (plan_id, version)
);

CREATE SEQUENCE inspection_minutes_id START 1;
CREATE TABLE inspection_minutes (
    id          BIGINT PRIMARY KEY DEFAULT nextval('inspection_minutes_id'),
    item_id     BIGINT NOT NULL UNIQUE,
    audit_id    BIGINT NOT NULL,
    unit_code   VARCHAR NOT NULL,
    signed_on   DATE NOT NULL,
    scope       VARCHAR NOT NULL,
    conclusion  VARCHAR,
    team        JSON NOT NULL,                    -- display names, the leader first, as signed
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by  VARCHAR NOT NULL
);

CREATE TABLE inspection_minutes_sections (
    minutes_id  BIGINT NOT NULL,
    section_ref VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    assessed    INTEGER NOT NULL,
    conform     INTEGER NOT NULL,
    nonconform  INTEGER NOT NULL,
    PRIMARY KEY (minutes_id, section_ref)
);

CREATE SEQUENCE inspection_request_id START 1;
CREATE TABLE inspection_requests (
    id            BIGINT PRIMARY KEY DEFAULT nextval('inspection_request_id'),
    minutes_id    BIGINT NOT NULL,
    number        INTEGER NOT NULL,
    unit_code     VARCHAR NOT NULL,
    finding_id    BIGINT,                         -- the finding it follows, when it does
    text          VARCHAR NOT NULL,
    due_on        DATE NOT NULL,                  -- two months after the minutes (Art. 37)
    reported_on   DATE,                           -- the unit's corrective report (recorded once)
    report_note   VARCHAR,
    reported_by   VARCHAR,
    UNIQUE (minutes_id, number)
);
CREATE INDEX inspection_requests_unit ON inspection_requests (unit_code);
