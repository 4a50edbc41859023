//! Sample data of the shape that started the project (Microsoft Graph upload sessions):
//! a small embedded dataset for examples and `odq apply`, and a deterministic generator of
//! any size for benchmarks and tests.

use serde_json::{json, Map, Value};

/// A small OData response of eight upload sessions with their files: sizes above and below
/// 1 MB, dates on both sides of 2026-01-01, sessions with no files, and the seed document's
/// `building-a-access.csv`.
pub const UPLOAD_SESSIONS: &str = include_str!("upload-sessions.json");

/// The `@odata.context` of generated collections.
pub const GENERATED_CONTEXT: &str = "https://graph.microsoft.com/beta/$metadata#identityGovernance/accessReviews/definitions('bench')/instances('bench')/uploadSessions";

const SOURCES: [&str; 12] = [
    "AzureActiveDirectory",
    "AzureADB2C",
    "SapSuccessFactors",
    "Workday",
    "ServiceNow",
    "Salesforce",
    "Okta",
    "OnPremisesActiveDirectory",
    "GitHubEnterprise",
    "SlackEnterpriseGrid",
    "ZoomPhone",
    "CustomConnector",
];
const FILE_PREFIXES: [&str; 10] = [
    "users",
    "groups",
    "assignments",
    "decisions",
    "reviewers",
    "apps",
    "roles",
    "licenses",
    "entitlements",
    "accessPackages",
];
const TYPE: &str = "#microsoft.graph.accessReviewDataUploadTriggerCallbackData";

/// A small deterministic pseudo-random generator (SplitMix64): good enough for test data,
/// and the same sequence on every platform.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A float in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// Seconds from 2024-01-01T00:00:00Z to a civil date-time text with 7 fractional digits.
fn timestamp(seconds: u64, fraction: u64) -> String {
    let days = (seconds / 86_400) as i64 + 19_723; // days from 1970-01-01 to 2024-01-01
    let second_of_day = seconds % 86_400;
    // Civil-from-days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction:07}Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// Sets `object[key] = value`, except about 1% of the time null and 1% missing, as real
/// data has gaps.
fn set_optional(rng: &mut SplitMix64, object: &mut Map<String, Value>, key: &str, value: Value) {
    let r = rng.below(100);
    if r == 0 {
        object.insert(key.to_owned(), Value::Null);
    } else if r != 1 {
        object.insert(key.to_owned(), value);
    }
}

/// One generated upload session.
fn record(rng: &mut SplitMix64) -> Value {
    const SPAN_SECONDS: u64 = 78_624_000; // 2024-01-01 .. 2026-07-01
    let mut record = Map::new();
    record.insert("id".into(), Value::String(rng.uuid()));
    let reference = rng.uuid();
    set_optional(rng, &mut record, "referenceId", Value::String(reference));
    let status = match rng.below(10) {
        0..=6 => "complete",
        7 | 8 => "inProgress",
        _ => "failed",
    };
    set_optional(rng, &mut record, "status", Value::from(status));
    let done = status == "complete" || (status == "failed" && rng.below(10) < 3);
    set_optional(rng, &mut record, "isUploadDone", Value::Bool(done));
    let created = rng.below(SPAN_SECONDS);
    let created_text = timestamp(created, rng.below(10_000_000));
    set_optional(
        rng,
        &mut record,
        "createdDateTime",
        Value::String(created_text),
    );
    let source = SOURCES[rng.below(SOURCES.len() as u64) as usize];
    set_optional(rng, &mut record, "source", Value::from(source));
    record.insert("type".into(), Value::from(TYPE));

    let file_count = [0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8][rng.below(12) as usize];
    let mut files = Vec::with_capacity(file_count);
    let mut total = 0u64;
    for _ in 0..file_count {
        let mut file = Map::new();
        file.insert("id".into(), Value::String(rng.uuid()));
        let prefix = FILE_PREFIXES[rng.below(FILE_PREFIXES.len() as u64) as usize];
        let name = format!("{prefix}-{}.csv", 1 + rng.below(9999));
        file.insert("name".into(), Value::String(name));
        // Log-uniform between 100 bytes and 50 MB.
        let size = (100f64.ln() + rng.unit() * (50e6f64.ln() - 100f64.ln())).exp() as u64;
        total += size;
        set_optional(rng, &mut file, "size", Value::from(size));
        let uploaded = timestamp(created + rng.below(2 * 86_400), rng.below(10_000_000));
        set_optional(rng, &mut file, "uploadedDateTime", Value::String(uploaded));
        files.push(Value::Object(file));
    }
    let mut stats = Map::new();
    set_optional(rng, &mut stats, "filesUploaded", Value::from(file_count));
    set_optional(rng, &mut stats, "totalBytesUploaded", Value::from(total));
    set_optional(rng, &mut record, "stats", Value::Object(stats));
    let data = json!({
        "@odata.type": TYPE,
        "accessReviewId": rng.uuid(),
        "accessReviewInstanceId": rng.uuid(),
    });
    set_optional(rng, &mut record, "data", data);
    set_optional(rng, &mut record, "files", Value::Array(files));
    Value::Object(record)
}

/// An endless, deterministic sequence of generated upload sessions for `seed`.
pub fn upload_session_iter(seed: u64) -> impl Iterator<Item = Value> {
    let mut rng = SplitMix64(seed);
    std::iter::repeat_with(move || record(&mut rng))
}

/// `n` generated upload sessions (a prefix-stable sequence for a given `seed`).
pub fn upload_session_records(n: usize, seed: u64) -> Vec<Value> {
    upload_session_iter(seed).take(n).collect()
}

/// An OData response `{"@odata.context":...,"value":[...]}` of `n` generated sessions.
pub fn upload_sessions(n: usize, seed: u64) -> Value {
    json!({
        "@odata.context": GENERATED_CONTEXT,
        "value": upload_session_records(n, seed),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_sample_is_an_odata_response() {
        let sample: Value = serde_json::from_str(UPLOAD_SESSIONS).unwrap();
        let sessions = sample["value"].as_array().unwrap();
        assert_eq!(sessions.len(), 8);
        assert!(UPLOAD_SESSIONS.contains("building-a-access.csv"));
    }

    #[test]
    fn generator_is_deterministic_and_prefix_stable() {
        let small = upload_session_records(10, 7);
        let large = upload_session_records(20, 7);
        assert_eq!(small[..], large[..10]);
        assert_ne!(upload_session_records(10, 8), small);
    }

    #[test]
    fn timestamps_are_civil_dates() {
        assert_eq!(timestamp(0, 0), "2024-01-01T00:00:00.0000000Z");
        assert_eq!(
            timestamp(59 * 86_400 + 3661, 5),
            "2024-02-29T01:01:01.0000005Z"
        );
        assert_eq!(timestamp(366 * 86_400, 0), "2025-01-01T00:00:00.0000000Z");
    }
}
