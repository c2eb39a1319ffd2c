-- Migration: 001_audit_logs
-- Audit logs as the API server wrote them: one audit.k8s.io/v1 Event per row
-- in `event_json`. Every other column is MATERIALIZED from it, so a writer
-- (Vector, the demo loader, a test) inserts `event_json` alone.
--
-- The sorting key starts with (timestamp, audit_id) because the reindex reader
-- pages a window by exactly that cursor (DESIGN.md §4.4).
--
-- A row whose JSON does not parse must still be stored, so the reader can hand
-- it back as an error item carrying its id: timestamp and id fall back to a
-- regex over the raw text, then to insert time and a content hash.

CREATE DATABASE IF NOT EXISTS audit {{ON_CLUSTER}};

CREATE TABLE IF NOT EXISTS audit.audit_logs {{ON_CLUSTER}}
(
    event_json String CODEC(ZSTD(3)),

    timestamp DateTime64(6, 'UTC') MATERIALIZED
        coalesce(
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'requestReceivedTimestamp'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(extract(event_json, '"requestReceivedTimestamp"\\s*:\\s*"([^"]+)"'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'stageTimestamp'), 6, 'UTC'),
            now64(6, 'UTC')
        ),

    audit_id String MATERIALIZED
        replaceRegexpAll(multiIf(
            JSONExtractString(event_json, 'auditID') != '', JSONExtractString(event_json, 'auditID'),
            extract(event_json, '"auditID"\\s*:\\s*"([^"]+)"') != '', extract(event_json, '"auditID"\\s*:\\s*"([^"]+)"'),
            concat('sha-', lower(hex(SHA256(event_json))))
        ), '[\t\n]', ' '),

    verb LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'verb'),
    stage LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'stage'),
    api_group LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'objectRef', 'apiGroup'),
    api_version LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'objectRef', 'apiVersion'),
    resource LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'objectRef', 'resource'),
    subresource LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'objectRef', 'subresource'),
    namespace LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'objectRef', 'namespace'),
    resource_name String MATERIALIZED JSONExtractString(event_json, 'objectRef', 'name'),
    user String MATERIALIZED JSONExtractString(event_json, 'user', 'username'),
    status_code UInt16 MATERIALIZED toUInt16(JSONExtractInt(event_json, 'responseStatus', 'code')),

    -- Tenant scope: the platform annotation when present, else the parent the
    -- user's token was issued for (iam.miloapis.com/parent-*).
    scope_type LowCardinality(String) MATERIALIZED
        if(JSONExtractString(event_json, 'annotations', 'platform.miloapis.com/scope.type') != '',
           JSONExtractString(event_json, 'annotations', 'platform.miloapis.com/scope.type'),
           JSONExtractString(event_json, 'user', 'extra', 'iam.miloapis.com/parent-type', 1)),
    scope_name String MATERIALIZED
        if(JSONExtractString(event_json, 'annotations', 'platform.miloapis.com/scope.name') != '',
           JSONExtractString(event_json, 'annotations', 'platform.miloapis.com/scope.name'),
           JSONExtractString(event_json, 'user', 'extra', 'iam.miloapis.com/parent-name', 1)),

    INDEX idx_verb_set verb TYPE set(20) GRANULARITY 4,
    INDEX idx_resource_bloom resource TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_api_resource_bloom (api_group, resource) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_user_bloom user TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_scope_name_bloom scope_name TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_status_code_minmax status_code TYPE minmax GRANULARITY 4
)
ENGINE = {{REPLICATED}}ReplacingMergeTree
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (timestamp, audit_id)
SETTINGS deduplicate_merge_projection_mode = 'rebuild';
