-- 008: derived stage spans (see qms/store/spans.py, which keeps them in step with qms_events).
-- Status is still derived from qms_events: these rows are a pure function of the events, rewritten
-- for the units a write touches inside that write's transaction, and rebuilt here from the events
-- already recorded (the SELECTs below are qms/store/spans.py's, with no unit filter).

CREATE TABLE unit_stage_spans (
    unit_code  VARCHAR NOT NULL,
    stage      TINYINT NOT NULL,   -- 0 not started (withdrawn), 1 building, 2 applying, 3 announced
    valid_from DATE NOT NULL,      -- a day with a stage-moving event: the unit is in `stage` from then
    valid_to   DATE,               -- the next such day; NULL: still in force
    PRIMARY KEY (unit_code, valid_from)
);

CREATE TABLE unit_year_maintenance (
    unit_code     VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    maintained_on DATE NOT NULL,   -- the day by which both an internal audit and a management review were held that year
    PRIMARY KEY (unit_code, year)
);

CREATE TABLE unit_first_announced (
    unit_code       VARCHAR PRIMARY KEY,
    first_announced DATE NOT NULL
);

INSERT INTO unit_stage_spans WITH day_stage AS ( SELECT unit_code, event_date, arg_max(CASE event_type WHEN 'build_started' THEN 1 WHEN 'applied' THEN 2 WHEN 'announced' THEN 3 WHEN 're_announced' THEN 3 WHEN 'withdrawn' THEN 0 END, id) AS stage FROM qms_events WHERE event_type IN ('build_started', 'applied', 'announced', 're_announced', 'withdrawn') GROUP BY unit_code, event_date ) SELECT unit_code, stage, event_date, lead(event_date) OVER (PARTITION BY unit_code ORDER BY event_date) FROM day_stage;
INSERT INTO unit_year_maintenance SELECT unit_code, year(event_date), greatest(min(event_date) FILTER (WHERE event_type = 'internal_audit'), min(event_date) FILTER (WHERE event_type = 'management_review')) FROM qms_events WHERE event_type IN ('internal_audit', 'management_review') GROUP BY unit_code, year(event_date) HAVING bool_or(event_type = 'internal_audit') AND bool_or(event_type = 'management_review');
INSERT INTO unit_first_announced SELECT unit_code, min(event_date) FROM qms_events WHERE event_type = 'announced' GROUP BY unit_code;
