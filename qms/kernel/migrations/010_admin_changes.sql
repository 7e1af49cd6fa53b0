-- 010: administrative changes of units (merges, splits, the 2025 two-level government).
-- A unit's identity is units.code (its key); the official GSO code it bears is units.gso_code.
-- Codes are reused (every Lai Châu commune of 01/07/2025 took a predecessor's code), so a unit
-- formed on a day when its official code already names another unit gets the key
-- '<gso_code>@<effective date>' (see qms/admin_changes.py); keys of existing units do not change.

ALTER TABLE units ADD COLUMN gso_code VARCHAR;
UPDATE units SET gso_code = code;
CREATE INDEX units_gso_code ON units (gso_code);

-- A unit's parent over time, after its first one (units.parent_code holds the parent it had
-- from valid_from): the parent on a date is the row with the latest valid_from <= date.
CREATE TABLE unit_parents (
    code        VARCHAR NOT NULL,
    parent_code VARCHAR,
    valid_from  DATE NOT NULL,
    PRIMARY KEY (code, valid_from)
);

-- One row per legal act imported (a resolution of the National Assembly's Standing Committee...).
CREATE SEQUENCE admin_change_id START 1;
CREATE TABLE admin_changes (
    id             BIGINT PRIMARY KEY DEFAULT nextval('admin_change_id'),
    act            VARCHAR NOT NULL,          -- the legal act, e.g. 'NQ 1670/NQ-UBTVQH15 (16/06/2025)'
    effective_date DATE NOT NULL,             -- first day of the new units; the old ones end the day before
    source         VARCHAR NOT NULL,          -- file name it came from
    digest         VARCHAR NOT NULL UNIQUE,   -- SHA-256 of the normalised change: a second import changes nothing
    ended_units    INTEGER NOT NULL,
    started_units  INTEGER NOT NULL,
    imported_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    imported_by    VARCHAR NOT NULL
);

-- Which old unit went (wholly or in part) into which new unit. A continuing unit (one
-- predecessor, itself) has no link: it keeps its key and history.
CREATE TABLE unit_links (
    change_id BIGINT NOT NULL,
    old_code  VARCHAR NOT NULL,               -- unit key of the predecessor
    new_code  VARCHAR NOT NULL,               -- unit key of the successor
    share     VARCHAR NOT NULL CHECK (share IN ('full', 'partial')),
    weight    DOUBLE NOT NULL CHECK (weight > 0 AND weight <= 1), -- the part of the old unit that went there
    PRIMARY KEY (change_id, old_code, new_code)
);
CREATE INDEX unit_links_new ON unit_links (new_code);

-- Carry-over (province setting 'carry_predecessor_announcements'): a new unit may count as
-- announced from its first day when every predecessor had announced; such spans are marked.
ALTER TABLE unit_stage_spans ADD COLUMN inherited BOOLEAN NOT NULL DEFAULT FALSE;

-- An unfinished improvement action of a unit that ended moves to its successor; the unit it had
-- before stays known, so views of earlier dates still show it where it was.
ALTER TABLE actions ADD COLUMN transferred_from VARCHAR;
ALTER TABLE actions ADD COLUMN transferred_on DATE;
