//! Hostile model input: truncated and corrupted documents, huge nesting, size limits. Every
//! case ends in a model or an error, never a panic, and limits are named in their errors.

use std::fs;
use std::path::Path;

use odata_query::model::{Model, ModelError, ModelLimit, ReadOptions};

fn read_case(name: &str) -> Vec<u8> {
    fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).expect("case file")
}

type Reader = fn(&[u8], &ReadOptions) -> Result<Model, ModelError>;

fn readers() -> Vec<(&'static str, Reader, Vec<u8>)> {
    // The csdl feature adds the XML reader.
    #[cfg_attr(not(feature = "csdl"), allow(unused_mut))]
    let mut readers: Vec<(&'static str, Reader, Vec<u8>)> = vec![(
        "json",
        Model::from_csdl_json_bytes,
        read_case("tests/cases/model/library.csdl.json"),
    )];
    #[cfg(feature = "csdl")]
    readers.push((
        "xml",
        Model::from_csdl_xml_bytes,
        read_case("tests/cases/model/trippin.csdl.xml"),
    ));
    readers
}

#[test]
fn truncated_documents_are_errors() {
    let options = ReadOptions::default();
    for (format, read, document) in readers() {
        let trimmed = document.trim_ascii_end().len();
        let mut errors = 0;
        for end in (0..trimmed).step_by(5) {
            let result = read(&document[..end], &options);
            assert!(
                result.is_err(),
                "{format}: a prefix of {end} bytes was accepted"
            );
            errors += 1;
        }
        assert!(errors > 100);
        assert!(read(&document, &options).is_ok());
    }
}

#[test]
fn corrupted_documents_never_panic() {
    let options = ReadOptions::default();
    // A fixed pseudo-random walk (xorshift) of byte changes.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (_, read, document) in readers() {
        for _ in 0..400 {
            let mut corrupted = document.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % corrupted.len() as u64) as usize;
                corrupted[at] = [
                    b'<', b'>', b'"', b'{', b'}', b'/', b'\xff', b'&', b'x', b' ',
                ][(next() % 10) as usize];
            }
            let _ = read(&corrupted, &options);
        }
    }
}

#[test]
fn huge_nesting_hits_the_depth_limit() {
    let options = ReadOptions::default();
    let json = "[".repeat(200_000);
    let error = Model::from_csdl_json_bytes(json.as_bytes(), &options).unwrap_err();
    assert!(
        matches!(
            error,
            ModelError::LimitExceeded {
                limit: ModelLimit::Depth,
                max: 64,
                ..
            }
        ),
        "{error}"
    );
    let annotation = format!(
        "{{\"$Version\":\"4.01\",\"ns\":{{\"@Core.Description\":{}1{}}}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    let error = Model::from_csdl_json(&annotation).unwrap_err();
    assert!(error.to_string().contains("max_depth"), "{error}");
    #[cfg(feature = "csdl")]
    {
        let xml = "<a>".repeat(200_000);
        let error = Model::from_csdl_xml_bytes(xml.as_bytes(), &options).unwrap_err();
        assert!(
            matches!(
                error,
                ModelError::LimitExceeded {
                    limit: ModelLimit::Depth,
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(error.position().map(|p| p.offset), Some(64 * 3));
    }
}

#[test]
fn nesting_within_the_limit_reads_and_round_trips() {
    let value = format!("{}\"deep\"{}", "[".repeat(40), "]".repeat(40));
    let text = format!("{{\"$Version\":\"4.01\",\"ns\":{{\"@Core.Description\":{value}}}}}");
    let model = Model::from_csdl_json(&text).unwrap();
    assert_eq!(Model::from_csdl_json(&model.to_csdl_json()).unwrap(), model);
}

#[test]
fn size_limit_is_named() {
    let mut options = ReadOptions::default();
    options.max_input_bytes = 100;
    for (format, read, document) in readers() {
        let error = read(&document, &options).unwrap_err();
        assert!(
            matches!(
                error,
                ModelError::LimitExceeded {
                    limit: ModelLimit::InputBytes,
                    max: 100,
                    ..
                }
            ),
            "{format}: {error}"
        );
        assert!(error.to_string().contains("max_input_bytes"));
    }
}
