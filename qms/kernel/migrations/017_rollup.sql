-- 017: a national roll-up database (built by `qms rollup-db` from a national snapshot) names the
-- province snapshot every unit's figures came from.  Empty in a province's own database.
CREATE TABLE rollup_sources (
    province_code          VARCHAR PRIMARY KEY,  -- the province unit's code (units.code)
    province_name          VARCHAR NOT NULL,
    as_of                  DATE NOT NULL,
    source_snapshot        VARCHAR NOT NULL,     -- the province's snapshot folder name
    source_manifest_sha256 VARCHAR NOT NULL,     -- SHA-256 of that snapshot's manifest.json
    schema_version         INTEGER NOT NULL,
    national_snapshot      VARCHAR NOT NULL,     -- the national snapshot folder it was loaded from
    national_manifest_sha256 VARCHAR NOT NULL
);
