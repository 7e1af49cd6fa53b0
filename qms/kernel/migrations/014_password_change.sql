-- 014: an account whose password an administrator reset must choose its own at its next sign-in.
-- (DuckDB adds no NOT NULL constraint with a new column: NULL reads as false.)
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN DEFAULT FALSE;
