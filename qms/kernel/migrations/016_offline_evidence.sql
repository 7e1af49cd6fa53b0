-- 016: offline audit workbooks and evidence files (issue 17).
-- The key that signs a workbook's hidden identity (an HMAC): made once per database, never
-- exported, so a workbook whose identity was edited by hand is told apart from one qms wrote.
CREATE TABLE offline_keys (
    name VARCHAR PRIMARY KEY,
    secret VARCHAR NOT NULL
);
INSERT INTO offline_keys VALUES ('workbook', sha256(gen_random_uuid()::VARCHAR || gen_random_uuid()::VARCHAR || now()::VARCHAR));

-- Evidence attached to an audit item: the file itself lives beside the database, named by its
-- SHA-256 (content-addressed); one row per item and file (the same file twice is one row).
CREATE TABLE audit_evidence (
    audit_id BIGINT NOT NULL,
    item_ref VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    media_type VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    display_sha256 VARCHAR,
    added_at TIMESTAMP NOT NULL,
    added_by VARCHAR NOT NULL,
    PRIMARY KEY (audit_id, item_ref, sha256)
);
