//! `odq model infer`: the inferred model printed as CSDL JSON or CSDL XML, names, and
//! exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use odata_query::model::{Edm, Model};

fn odq(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_odq"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("odq runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(input)
            .expect("odq reads stdin");
    }
    child.wait_with_output().expect("odq finishes")
}

fn sample_path() -> String {
    format!(
        "{}/../src/sample/upload-sessions.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn infer_json_names_the_set_from_the_odata_context() {
    let output = odq(&["model", "infer", &sample_path(), "--json"], None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let model = Model::from_csdl_json(std::str::from_utf8(&output.stdout).unwrap()).unwrap();
    let session = model
        .entity_set_type("uploadSessions")
        .expect("set named from @odata.context");
    let files = model.navigation_property(session, "files").unwrap();
    let file = model.navigation_target(files).unwrap();
    assert_eq!(
        model.property(file, "size").unwrap().type_ref,
        Edm::Int64.into()
    );
}

#[test]
fn infer_takes_a_name_and_reads_stdin() {
    let output = odq(
        &["model", "infer", "-", "--name", "people", "--json"],
        Some(br#"[{"id": 1, "name": "Ada"}, {"id": 2}]"#),
    );
    assert_eq!(output.status.code(), Some(0));
    let model = Model::from_csdl_json(std::str::from_utf8(&output.stdout).unwrap()).unwrap();
    let person = model.entity_set_type("people").unwrap();
    assert_eq!(person.name, "peopleItem");
    assert!(model.property(person, "name").unwrap().nullable);
}

#[test]
fn infer_prints_csdl_xml_by_default() {
    let output = odq(&["model", "infer", &sample_path()], None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout.starts_with("<?xml"), "{stdout}");
    assert!(
        stdout.contains(r#"<EntitySet Name="uploadSessions" EntityType="Default.uploadSession"/>"#)
    );
}

#[test]
fn infer_rejects_bad_samples_with_exit_codes() {
    let not_json = odq(&["model", "infer", "-", "--json"], Some(b"{nope"));
    assert_eq!(not_json.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&not_json.stderr).contains("not JSON"));
    let not_records = odq(&["model", "infer", "-", "--json"], Some(b"[1, 2]"));
    assert_eq!(not_records.status.code(), Some(1));
    let missing = odq(&["model", "infer", "/nonexistent/sample.json"], None);
    assert_eq!(missing.status.code(), Some(2));
}
