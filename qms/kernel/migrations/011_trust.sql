-- 011: a data version that every write transaction moves, and the sign-in throttle per name.

-- One row per committed write transaction, inserted by Database.write inside that transaction;
-- the data version is the row count.  Append-only on purpose: one counter row updated by every
-- write would make any two concurrent writes conflict (DuckDB is optimistic), while inserts never
-- do; and unlike max(change_log.id), whose ids are handed out before commit, a count read in a
-- snapshot moves exactly when a transaction commits.
CREATE TABLE data_writes (
    written_at TIMESTAMP NOT NULL DEFAULT current_timestamp   -- UTC
);

-- Wrong passwords counted per user name (known or not), for qms.accounts.wait_seconds.  Every
-- attempt updates its name's row first, so concurrent attempts on one name are serialised.
CREATE TABLE sign_in_throttle (
    username     VARCHAR PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,  -- wrong passwords since the last correct one, within the window
    last_failure TIMESTAMP                    -- UTC
);
