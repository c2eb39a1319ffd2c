-- Migration: 005_activities_reindex_support
-- The activities sink, as the feature design's 005_activities_reindex_support
-- defines it: a ReplacingMergeTree versioned by `reindex_version`, keyed so
-- that one origin (audit log or Event) is one row. A re-indexed activity
-- lands on the same key as the one the real-time processor wrote, and the
-- newer `reindex_version` wins at merge time (and under FINAL).
--
-- Writers insert `activity_json` only; `reindex_version` defaults to the
-- insert time and everything else is MATERIALIZED from the JSON.
--
-- Numbered 005 to match the design's file name; 003 and 004 are free.
-- The feature design dropped any earlier activities table; this one never
-- drops a table that holds rows: when audit.activities already exists (an
-- older layout), the runner creates this layout beside it, copies every row,
-- verifies the count and swaps them, keeping the old table as
-- audit.activities_before_005 (run-migrations.ts).

CREATE TABLE IF NOT EXISTS audit.activities {{ON_CLUSTER}}
(
    activity_json String CODEC(ZSTD(3)),

    reindex_version DateTime64(3) DEFAULT now64(3),

    timestamp DateTime64(3) MATERIALIZED
        coalesce(
            parseDateTime64BestEffortOrNull(JSONExtractString(activity_json, 'metadata', 'creationTimestamp')),
            now64(3)
        ),

    tenant_type LowCardinality(String) MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'tenant', 'type'), ''),
    tenant_name String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'tenant', 'name'), ''),

    origin_type LowCardinality(String) MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'origin', 'type'), ''),
    origin_id String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'origin', 'id'), ''),

    change_source LowCardinality(String) MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'changeSource'), ''),

    actor_type LowCardinality(String) MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'actor', 'type'), ''),
    actor_name String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'actor', 'name'), ''),
    actor_uid String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'actor', 'uid'), ''),

    api_group LowCardinality(String) MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'resource', 'apiGroup'), ''),
    resource_kind LowCardinality(String) MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'resource', 'kind'), ''),
    resource_name String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'resource', 'name'), ''),
    resource_namespace String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'resource', 'namespace'), ''),
    resource_uid String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'resource', 'uid'), ''),

    activity_name String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'metadata', 'name'), ''),
    activity_namespace String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'metadata', 'namespace'), ''),

    summary String MATERIALIZED
        coalesce(JSONExtractString(activity_json, 'spec', 'summary'), ''),

    -- Skip indexes
    INDEX idx_api_group api_group TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_actor_name actor_name TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_actor_uid actor_uid TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_resource resource_kind TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_resource_name resource_name TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_resource_uid resource_uid TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_change_source change_source TYPE set(10) GRANULARITY 4,
    INDEX idx_summary_search summary TYPE text(tokenizer = ngrams(3)) GRANULARITY 1,

    -- Projections: service-provider queries by API group, and by actor.
    PROJECTION api_group_query_projection
    (
        SELECT *
        ORDER BY (api_group, timestamp, tenant_type, tenant_name, origin_id)
    ),
    PROJECTION actor_query_projection
    (
        SELECT *
        ORDER BY (actor_name, timestamp, tenant_type, tenant_name, origin_id)
    )
)
ENGINE = {{REPLICATED}}ReplacingMergeTree(reindex_version)
PARTITION BY toYYYYMMDD(timestamp)
-- Unique per activity: each origin yields at most one activity (first policy wins).
ORDER BY (tenant_type, tenant_name, timestamp, origin_id)
PRIMARY KEY (tenant_type, tenant_name, timestamp, origin_id)
-- 60-day retention, the same as the sources'.
TTL timestamp + INTERVAL 60 DAY DELETE
SETTINGS
    storage_policy = 'default',
    ttl_only_drop_parts = 1,
    deduplicate_merge_projection_mode = 'rebuild';
