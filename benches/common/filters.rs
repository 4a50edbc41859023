//! The `$filter` table shared by the `eval` and `filter_ratio` benches.

use serde_json::Value;

/// A hand-written predicate over one record.
pub type Closure = fn(&Value) -> bool;

/// Hand-written closures with OData's answers on the generated data: (name, `$filter`,
/// closure). The counts are asserted equal before timing.
pub const FILTERS: &[(&str, &str, Closure)] = &[
    ("gt_nested", "stats/totalBytesUploaded gt 1000000", |item| {
        item["stats"]["totalBytesUploaded"]
            .as_u64()
            .is_some_and(|n| n > 1_000_000)
    }),
    (
        "eq_and",
        "status eq 'complete' and isUploadDone eq true",
        |item| {
            item["status"].as_str() == Some("complete")
                && item["isUploadDone"].as_bool() == Some(true)
        },
    ),
    (
        "eq_or_null",
        "source eq null or status ne 'failed'",
        |item| item["source"].is_null() || item["status"].as_str() != Some("failed"),
    ),
    (
        "startswith_or_contains",
        "startswith(source,'Azure') or contains(source,'Sap')",
        |item| {
            item["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("Azure") || s.contains("Sap"))
        },
    ),
    (
        "datetime_range",
        "createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime lt 2026-04-01T00:00:00Z",
        |item| {
            // What a careful hand-written version does: read the instant, then compare.
            const FROM: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
            const TO: i64 = 1_775_001_600; // 2026-04-01T00:00:00Z
            item["createdDateTime"]
                .as_str()
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .is_some_and(|t| t.timestamp() >= FROM && t.timestamp() < TO)
        },
    ),
    ("any_lambda", "files/any(f: f/size gt 10000000)", |item| {
        item["files"].as_array().is_some_and(|files| {
            files
                .iter()
                .any(|f| f["size"].as_u64().is_some_and(|n| n > 10_000_000))
        })
    }),
    ("all_lambda", "files/all(f: f/size lt 50000000)", |item| {
        // A missing or null collection is empty, so `all` holds for it.
        item["files"].as_array().map_or(true, |files| {
            files
                .iter()
                .all(|f| f["size"].as_u64().is_some_and(|n| n < 50_000_000))
        })
    }),
    (
        "in_list",
        "source in ('Okta','Workday','ServiceNow')",
        |item| {
            matches!(
                item["source"].as_str(),
                Some("Okta" | "Workday" | "ServiceNow")
            )
        },
    ),
    (
        "arithmetic_not",
        "(stats/filesUploaded add 1) mul 2 gt 10 and not (status eq 'failed')",
        |item| {
            item["stats"]["filesUploaded"]
                .as_i64()
                .is_some_and(|n| (n + 1) * 2 > 10)
                && item["status"].as_str() != Some("failed")
        },
    ),
    ("nested_eq", "stats/filesUploaded eq 0", |item| {
        item["stats"]["filesUploaded"].as_u64() == Some(0)
    }),
    ("tolower_eq", "tolower(status) eq 'failed'", |item| {
        item["status"]
            .as_str()
            .is_some_and(|s| s.to_lowercase() == "failed")
    }),
];
