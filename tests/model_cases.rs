//! Data-driven model cases: every document under `tests/cases/model/`.
//!
//! - `NAME.csdl.xml` (feature `csdl`) and `NAME.csdl.json` are read, and their summary
//!   (see [`summary`]) must equal `NAME.summary`; the model must survive writing and
//!   reading back in the same format, and its other-format text must read.
//! - `infer/SET.sample.json` is inferred with entity set name `SET`; the model's CSDL JSON
//!   must equal `infer/SET.csdl.json`.
//! - `errors.txt`: one rejected document per line, `FORMAT: INPUT ==! LINE:COLUMN TEXT`,
//!   where FORMAT is `xml` or `json`, INPUT may use `\n`, `\t`, `\xHH` and `\\`, and the
//!   error must be at that line and column (`0:0`: no text position) and contain TEXT.
//!
//! Set `BLESS=1` to write missing `.summary` and `.csdl.json` expectations (then review
//! them).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use odata_query::model::{
    AnnotationValue, Facets, MaxLength, Model, ModelError, Policy, ReadOptions, Scale, Srid,
    TypeKind,
};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/model")
}

fn files_ending(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    files
}

fn value(annotation: &AnnotationValue) -> String {
    match annotation {
        AnnotationValue::Null => "null".into(),
        AnnotationValue::Bool(b) => b.to_string(),
        AnnotationValue::Int(n) => n.to_string(),
        AnnotationValue::Number(text) => format!("number {text}"),
        AnnotationValue::String(text) => format!("{text:?}"),
        AnnotationValue::Typed { kind, text } => format!("{kind:?}({text})"),
        AnnotationValue::Path { kind, path } => format!("{kind:?}({path})"),
        AnnotationValue::Collection(items) => {
            format!(
                "[{}]",
                items.iter().map(value).collect::<Vec<_>>().join(", ")
            )
        }
        AnnotationValue::Record(record) => {
            let members: Vec<String> = record
                .properties
                .iter()
                .map(|(name, v)| format!("{name}: {}", value(v)))
                .collect();
            let type_name = record
                .type_name
                .as_deref()
                .map_or(String::new(), |t| format!("{t} "));
            format!("{{{type_name}{}}}", members.join(", "))
        }
        AnnotationValue::Raw { format, text } => {
            let head: String = text.chars().take_while(|c| *c != '>').collect();
            format!("raw {format:?} {head}>")
        }
        other => format!("{other:?}"),
    }
}

fn facets(facets: &Facets) -> String {
    let mut out = String::new();
    match facets.max_length {
        Some(MaxLength::Max) => out.push_str(" maxlength=max"),
        Some(MaxLength::Length(n)) => write!(out, " maxlength={n}").unwrap(),
        None => {}
    }
    if let Some(p) = facets.precision {
        write!(out, " precision={p}").unwrap();
    }
    match facets.scale {
        Some(Scale::Digits(s)) => write!(out, " scale={s}").unwrap(),
        Some(other) => write!(out, " scale={other:?}").unwrap(),
        None => {}
    }
    match facets.srid {
        Some(Srid::Id(s)) => write!(out, " srid={s}").unwrap(),
        Some(Srid::Variable) => out.push_str(" srid=variable"),
        None => {}
    }
    if let Some(u) = facets.unicode {
        write!(out, " unicode={u}").unwrap();
    }
    out
}

fn annotations(out: &mut String, indent: &str, list: &[odata_query::model::Annotation]) {
    for a in list {
        let qualifier = a
            .qualifier
            .as_deref()
            .map_or(String::new(), |q| format!("#{q}"));
        writeln!(out, "{indent}@{}{qualifier} = {}", a.term, value(&a.value)).unwrap();
    }
}

fn policy(out: &mut String, indent: &str, policy: &Policy) {
    if policy.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if let Some(f) = &policy.filter {
        parts.push(format!(
            "filter(filterable={} requires={} required={:?} non={:?} levels={:?} other={})",
            f.filterable,
            f.requires_filter,
            f.required_properties,
            f.non_filterable_properties,
            f.max_levels,
            f.other.len()
        ));
    }
    if let Some(s) = &policy.sort {
        parts.push(format!(
            "sort(sortable={} non={:?} asc={:?} desc={:?})",
            s.sortable,
            s.non_sortable_properties,
            s.ascending_only_properties,
            s.descending_only_properties
        ));
    }
    if let Some(e) = &policy.expand {
        parts.push(format!(
            "expand(expandable={} non={:?} levels={:?})",
            e.expandable, e.non_expandable_properties, e.max_levels
        ));
    }
    if let Some(s) = &policy.select {
        parts.push(format!("select(supported={})", s.supported));
    }
    if let Some(c) = &policy.count {
        parts.push(format!(
            "count(countable={} non={:?})",
            c.countable, c.non_countable_properties
        ));
    }
    if let Some(s) = &policy.search {
        parts.push(format!(
            "search(searchable={} unsupported={:?})",
            s.searchable, s.unsupported_expressions
        ));
    }
    if let Some(b) = policy.top_supported {
        parts.push(format!("top={b}"));
    }
    if let Some(b) = policy.skip_supported {
        parts.push(format!("skip={b}"));
    }
    if let Some(list) = &policy.filter_functions {
        parts.push(format!("functions={list:?}"));
    }
    if let Some(n) = policy.max_top {
        parts.push(format!("max-top={n}"));
    }
    if let Some(n) = policy.page_size {
        parts.push(format!("page-size={n}"));
    }
    if !policy.non_selectable_properties.is_empty() {
        parts.push(format!(
            "non-selectable={:?}",
            policy.non_selectable_properties
        ));
    }
    writeln!(out, "{indent}policy {}", parts.join(" ")).unwrap();
}

/// A line-per-element text of everything the model holds.
fn summary(model: &Model) -> String {
    let mut out = String::new();
    writeln!(out, "version {}", model.version).unwrap();
    for reference in &model.references {
        let includes: Vec<String> = reference
            .includes
            .iter()
            .map(|i| match &i.alias {
                Some(alias) => format!("{} as {alias}", i.namespace),
                None => i.namespace.clone(),
            })
            .collect();
        writeln!(out, "reference {} [{}]", reference.uri, includes.join(", ")).unwrap();
    }
    for schema in &model.schemas {
        let alias = schema
            .alias
            .as_deref()
            .map_or(String::new(), |a| format!(" as {a}"));
        writeln!(out, "schema {}{alias}", schema.namespace).unwrap();
        annotations(&mut out, "  ", &schema.annotations);
        for e in &schema.enum_types {
            let members: Vec<String> = e
                .members
                .iter()
                .map(|m| format!("{}={}", m.name, m.value))
                .collect();
            let flags = if e.is_flags { "flags " } else { "" };
            writeln!(
                out,
                "  {flags}enum {} {} [{}]",
                e.name,
                e.underlying_type,
                members.join(" ")
            )
            .unwrap();
            for m in &e.members {
                annotations(&mut out, &format!("    {}", m.name), &m.annotations);
            }
            annotations(&mut out, "    ", &e.annotations);
        }
        for d in &schema.type_definitions {
            writeln!(
                out,
                "  typedef {} {}{}",
                d.name,
                d.underlying_type,
                facets(&d.facets)
            )
            .unwrap();
        }
        for t in &schema.types {
            let kind = match t.kind {
                TypeKind::Entity => "entity",
                TypeKind::Complex => "complex",
            };
            let mut flags = String::new();
            if let Some(base) = &t.base_type {
                write!(flags, " : {base}").unwrap();
            }
            for (on, word) in [
                (t.is_abstract, "abstract"),
                (t.is_open, "open"),
                (t.has_stream, "stream"),
            ] {
                if on {
                    write!(flags, " {word}").unwrap();
                }
            }
            if !t.key.is_empty() {
                let key: Vec<&str> = t.key.iter().map(|k| k.name.as_str()).collect();
                write!(flags, " key({})", key.join(",")).unwrap();
            }
            writeln!(out, "  {kind} {}{flags}", t.name).unwrap();
            for p in &t.properties {
                let nullable = if p.nullable { "?" } else { "" };
                let default = p
                    .default_value
                    .as_deref()
                    .map_or(String::new(), |d| format!(" default={d}"));
                writeln!(
                    out,
                    "    {}: {}{nullable}{}{default}",
                    p.name,
                    p.type_ref,
                    facets(&p.facets)
                )
                .unwrap();
                annotations(&mut out, "      ", &p.annotations);
            }
            for n in &t.navigation_properties {
                let shape = if n.collection {
                    format!("Collection({})", n.target)
                } else if n.nullable {
                    format!("{}?", n.target)
                } else {
                    n.target.clone()
                };
                let mut extra = String::new();
                if n.contains_target {
                    extra.push_str(" contained");
                }
                if let Some(partner) = &n.partner {
                    write!(extra, " partner={partner}").unwrap();
                }
                writeln!(out, "    nav {}: {shape}{extra}", n.name).unwrap();
                annotations(&mut out, "      ", &n.annotations);
            }
            annotations(&mut out, "    ", &t.annotations);
        }
        for o in &schema.operations {
            let parameters: Vec<String> = o
                .parameters
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}{}",
                        p.name,
                        p.type_ref,
                        if p.nullable { "?" } else { "" }
                    )
                })
                .collect();
            let returns = o.return_type.as_ref().map_or(String::new(), |r| {
                format!(" -> {}{}", r.type_ref, if r.nullable { "?" } else { "" })
            });
            let bound = if o.is_bound { "bound " } else { "" };
            writeln!(
                out,
                "  {bound}{:?} {}({}){returns}",
                o.kind,
                o.name,
                parameters.join(", ")
            )
            .unwrap();
        }
        if let Some(c) = &schema.container {
            writeln!(out, "  container {}", c.name).unwrap();
            policy(&mut out, "    ", &c.policy);
            annotations(&mut out, "    ", &c.annotations);
            for s in &c.entity_sets {
                writeln!(out, "    set {}: {}", s.name, s.entity_type).unwrap();
                for b in &s.navigation_bindings {
                    writeln!(out, "      bind {} -> {}", b.path, b.target).unwrap();
                }
                policy(&mut out, "      ", &s.policy);
                annotations(&mut out, "      ", &s.annotations);
            }
            for s in &c.singletons {
                writeln!(out, "    singleton {}: {}", s.name, s.entity_type).unwrap();
                for b in &s.navigation_bindings {
                    writeln!(out, "      bind {} -> {}", b.path, b.target).unwrap();
                }
                policy(&mut out, "      ", &s.policy);
                annotations(&mut out, "      ", &s.annotations);
            }
            for i in &c.operation_imports {
                let set = i
                    .entity_set
                    .as_deref()
                    .map_or(String::new(), |s| format!(" set={s}"));
                writeln!(
                    out,
                    "    import {:?} {} = {}{set}",
                    i.kind, i.name, i.operation
                )
                .unwrap();
            }
        }
        for g in &schema.annotation_groups {
            writeln!(out, "  annotations {}", g.target).unwrap();
            annotations(&mut out, "    ", &g.annotations);
        }
    }
    out
}

/// Compares `actual` with the expectation file, writing it when missing and `BLESS` is set.
fn expect_file(path: &Path, actual: &str) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(expected) if expected == actual => None,
        Ok(expected) => Some(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) if std::env::var_os("BLESS").is_some() => {
            fs::write(path, actual).expect("writable case directory");
            None
        }
        Err(_) => Some(format!("{} is missing (BLESS=1 writes it)", path.display())),
    }
}

fn check_document(path: &Path, model: &Model, failures: &mut Vec<String>) {
    let name = path.file_name().unwrap().to_string_lossy();
    let stem = name
        .trim_end_matches(".csdl.xml")
        .trim_end_matches(".csdl.json");
    if let Some(why) = expect_file(
        &path.with_file_name(format!("{stem}.summary")),
        &summary(model),
    ) {
        failures.push(why);
    }
    let json = model.to_csdl_json();
    match Model::from_csdl_json(&json) {
        Ok(again) if name.ends_with(".json") && again != *model => {
            failures.push(format!("{name}: CSDL JSON round trip changed the model"))
        }
        Ok(_) => {}
        Err(e) => failures.push(format!("{name}: written CSDL JSON does not read: {e}")),
    }
    #[cfg(feature = "csdl")]
    {
        let xml = model.to_csdl_xml();
        match Model::from_csdl_xml(&xml) {
            Ok(again) if name.ends_with(".xml") && again != *model => {
                failures.push(format!("{name}: CSDL XML round trip changed the model"))
            }
            Ok(_) => {}
            Err(e) => failures.push(format!(
                "{name}: written CSDL XML does not read: {e}\n{xml}"
            )),
        }
    }
}

#[test]
fn documents_read_to_their_summaries_and_round_trip() {
    let dir = cases_dir();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in files_ending(&dir, ".csdl.json") {
        count += 1;
        match Model::from_csdl_json(&fs::read_to_string(&path).unwrap()) {
            Ok(model) => check_document(&path, &model, &mut failures),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    #[cfg(feature = "csdl")]
    for path in files_ending(&dir, ".csdl.xml") {
        count += 1;
        match Model::from_csdl_xml(&fs::read_to_string(&path).unwrap()) {
            Ok(model) => check_document(&path, &model, &mut failures),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(count > 0, "no model documents");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn samples_infer_to_their_csdl_json() {
    let dir = cases_dir().join("infer");
    let mut failures = Vec::new();
    let inputs = files_ending(&dir, ".sample.json");
    assert!(!inputs.is_empty(), "no inference cases");
    for path in inputs {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let set = name.trim_end_matches(".sample.json");
        let sample: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&path).unwrap()).expect("sample is JSON");
        match Model::infer(&sample, set) {
            Ok(model) => {
                let json = model.to_csdl_json();
                if let Some(why) = expect_file(&dir.join(format!("{set}.csdl.json")), &json) {
                    failures.push(why);
                }
                match Model::from_csdl_json(&json) {
                    Ok(again) if again == model => {}
                    Ok(_) => failures.push(format!("{name}: inferred model does not round trip")),
                    Err(e) => failures.push(format!("{name}: {e}")),
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Decodes the escapes of an `errors.txt` input.
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' if i + 3 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).expect("\\xHH escape"));
                    i += 4;
                    continue;
                }
                other => panic!("unknown escape \\{}", other as char),
            }
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn read(format: &str, input: &[u8]) -> Option<Result<Model, ModelError>> {
    let options = ReadOptions::default();
    match format {
        "json" => Some(Model::from_csdl_json_bytes(input, &options)),
        #[cfg(feature = "csdl")]
        "xml" => Some(Model::from_csdl_xml_bytes(input, &options)),
        #[cfg(not(feature = "csdl"))]
        "xml" => None,
        other => panic!("unknown format {other}"),
    }
}

#[test]
fn malformed_documents_are_errors_with_positions() {
    let text = fs::read_to_string(cases_dir().join("errors.txt")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("errors.txt:{}", index + 1);
        let (format, rest) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{at}: FORMAT: "));
        let (input, expected) = rest
            .rsplit_once(" ==! ")
            .unwrap_or_else(|| panic!("{at}: ==!"));
        let (position, message) = expected.split_once(' ').unwrap_or((expected, ""));
        let (line_no, column) = position
            .split_once(':')
            .unwrap_or_else(|| panic!("{at}: L:C"));
        let (line_no, column): (usize, usize) = (line_no.parse().unwrap(), column.parse().unwrap());
        let Some(result) = read(format, &unescape(input)) else {
            continue;
        };
        count += 1;
        match result {
            Ok(_) => failures.push(format!("{at}: accepted {input}")),
            Err(error) => {
                let found = error.position().map(|p| (p.line, p.column));
                // 0:0 stands for an error with a member path instead of a text position.
                let want = (line_no != 0).then_some((line_no, column));
                if found != want || !error.to_string().contains(message) {
                    failures.push(format!(
                        "{at}: want {line_no}:{column} {message:?}, got {found:?}: {error}"
                    ));
                }
            }
        }
    }
    assert!(count > 0, "no error cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
