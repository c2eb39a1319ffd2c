-- Migration: 002_k8s_events
-- Kubernetes Events: one events.k8s.io/v1 Event (or a core v1 Event) per row
-- in `event_json`; every other column is MATERIALIZED from it.
--
-- `timestamp` follows the order the activity builder uses for an event's
-- time: eventTime, then the deprecated (events.k8s.io) and legacy (core v1)
-- last/first timestamps, then metadata.creationTimestamp. The sorting key
-- starts with (timestamp, event_uid), the reader's page cursor.
--
-- `regarding_*` read `regarding`, or `involvedObject` for a core v1 Event.
-- Malformed JSON is stored like in 001: regex fallbacks, then insert time and
-- a content hash.

CREATE TABLE IF NOT EXISTS audit.k8s_events {{ON_CLUSTER}}
(
    event_json String CODEC(ZSTD(3)),

    timestamp DateTime64(6, 'UTC') MATERIALIZED
        coalesce(
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'eventTime'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'deprecatedLastTimestamp'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'lastTimestamp'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'deprecatedFirstTimestamp'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'firstTimestamp'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(JSONExtractString(event_json, 'metadata', 'creationTimestamp'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(extract(event_json, '"eventTime"\\s*:\\s*"([^"]+)"'), 6, 'UTC'),
            parseDateTime64BestEffortOrNull(extract(event_json, '"creationTimestamp"\\s*:\\s*"([^"]+)"'), 6, 'UTC'),
            now64(6, 'UTC')
        ),

    event_uid String MATERIALIZED
        replaceRegexpAll(multiIf(
            JSONExtractString(event_json, 'metadata', 'uid') != '', JSONExtractString(event_json, 'metadata', 'uid'),
            extract(event_json, '"uid"\\s*:\\s*"([^"]+)"') != '', extract(event_json, '"uid"\\s*:\\s*"([^"]+)"'),
            concat('sha-', lower(hex(SHA256(event_json))))
        ), '[\t\n]', ' '),

    api_version LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'apiVersion'),
    namespace LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'metadata', 'namespace'),
    name String MATERIALIZED JSONExtractString(event_json, 'metadata', 'name'),
    reason LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'reason'),
    type LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'type'),
    action LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'action'),
    reporting_controller LowCardinality(String) MATERIALIZED
        if(JSONExtractString(event_json, 'reportingController') != '',
           JSONExtractString(event_json, 'reportingController'),
           JSONExtractString(event_json, 'source', 'component')),

    regarding_api_version LowCardinality(String) MATERIALIZED
        JSONExtractString(event_json, if(JSONHas(event_json, 'regarding'), 'regarding', 'involvedObject'), 'apiVersion'),
    regarding_api_group LowCardinality(String) MATERIALIZED
        if(position(regarding_api_version, '/') > 0, splitByChar('/', regarding_api_version)[1], ''),
    regarding_kind LowCardinality(String) MATERIALIZED
        JSONExtractString(event_json, if(JSONHas(event_json, 'regarding'), 'regarding', 'involvedObject'), 'kind'),
    regarding_namespace LowCardinality(String) MATERIALIZED
        JSONExtractString(event_json, if(JSONHas(event_json, 'regarding'), 'regarding', 'involvedObject'), 'namespace'),
    regarding_name String MATERIALIZED
        JSONExtractString(event_json, if(JSONHas(event_json, 'regarding'), 'regarding', 'involvedObject'), 'name'),
    regarding_uid String MATERIALIZED
        JSONExtractString(event_json, if(JSONHas(event_json, 'regarding'), 'regarding', 'involvedObject'), 'uid'),

    related_kind LowCardinality(String) MATERIALIZED JSONExtractString(event_json, 'related', 'kind'),
    related_name String MATERIALIZED JSONExtractString(event_json, 'related', 'name'),
    series_count Int32 MATERIALIZED toInt32(JSONExtractInt(event_json, 'series', 'count')),

    scope_type LowCardinality(String) MATERIALIZED
        JSONExtractString(event_json, 'metadata', 'annotations', 'platform.miloapis.com/scope.type'),
    scope_name String MATERIALIZED
        JSONExtractString(event_json, 'metadata', 'annotations', 'platform.miloapis.com/scope.name'),

    INDEX idx_reason_set reason TYPE set(100) GRANULARITY 4,
    INDEX idx_type_set type TYPE set(10) GRANULARITY 4,
    INDEX idx_regarding_kind_set regarding_kind TYPE set(100) GRANULARITY 4,
    INDEX idx_regarding_name_bloom regarding_name TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_regarding_uid_bloom regarding_uid TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_scope_name_bloom scope_name TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = {{REPLICATED}}ReplacingMergeTree
PARTITION BY toYYYYMMDD(timestamp)
ORDER BY (timestamp, event_uid)
SETTINGS deduplicate_merge_projection_mode = 'rebuild';
