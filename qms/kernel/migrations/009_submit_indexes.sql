-- 009: an index for the audit submit's recurrence rule (issue 8, performance only; no data changes).
-- qms.store.actions._mark_recurrences looks up the actions of a few recurrence keys
-- (unit|standard|clause) among every action: without an index that is a scan of every key
-- (19 ms of a 110 ms submit with 285,000 actions); DuckDB answers list_contains on an indexed
-- column from the index (1 ms).
CREATE INDEX actions_recurrence ON actions (recurrence_key);
