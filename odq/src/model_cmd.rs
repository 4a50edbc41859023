//! `odq model infer FILE.json [--name SET] [--json]`: infer a data model from a JSON sample
//! and print it as CSDL XML (feature `csdl`) or, with `--json`, CSDL JSON.

use std::io::{self, Read};
use std::process::ExitCode;

use odata_query::model::Model;

/// The entity set name when `--name` is not given: the last segment of the sample's
/// `@odata.context` (`.../uploadSessions`), else the file's stem if it is a simple
/// identifier, else `items`.
pub(crate) fn default_name(sample: &serde_json::Value, file: &str) -> String {
    let is_identifier = |name: &str| {
        name.chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    if let Some(context) = sample.get("@odata.context").and_then(|c| c.as_str()) {
        let last = context
            .rsplit(['/', '#'])
            .find(|segment| !segment.is_empty() && !segment.starts_with('$'))
            .unwrap_or_default();
        let last = last.split('(').next().unwrap_or_default();
        if is_identifier(last) {
            return last.to_owned();
        }
    }
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or_default();
    if is_identifier(stem) {
        stem.to_owned()
    } else {
        "items".to_owned()
    }
}

/// Runs `odq model infer`.
pub(crate) fn infer(file: &str, name: Option<&str>, json: bool) -> ExitCode {
    let text = if file == "-" {
        let mut text = String::new();
        if let Err(e) = io::stdin().read_to_string(&mut text) {
            eprintln!("odq model infer: cannot read stdin: {e}");
            return ExitCode::from(2);
        }
        text
    } else {
        match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("odq model infer: cannot read {file}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let sample: serde_json::Value = match serde_json::from_str(&text) {
        Ok(sample) => sample,
        Err(e) => {
            eprintln!("odq model infer: {file} is not JSON: {e}");
            return ExitCode::from(1);
        }
    };
    let name = name.map_or_else(|| default_name(&sample, file), str::to_owned);
    let model = match Model::infer(&sample, &name) {
        Ok(model) => model,
        Err(e) => {
            eprintln!("odq model infer: {e}");
            return ExitCode::from(1);
        }
    };
    if json {
        print!("{}", model.to_csdl_json());
        return ExitCode::SUCCESS;
    }
    print_xml(&model)
}

fn print_xml(model: &Model) -> ExitCode {
    print!("{}", model.to_csdl_xml());
    ExitCode::SUCCESS
}

/// Reads a CSDL document: XML when the name ends in `.xml` or the text starts with `<`,
/// else CSDL JSON. Errors name the file and the position.
pub(crate) fn load(path: &str) -> Result<Model, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let xml = path.ends_with(".xml") || text.trim_start().starts_with('<');
    let model = if xml {
        Model::from_csdl_xml(&text)
    } else {
        Model::from_csdl_json(&text)
    };
    model.map_err(|e| format!("{path}: {e}"))
}

/// The resource a query is checked against: `--set`, else the model's only entity set.
pub(crate) fn resource(model: &Model, set: Option<&str>) -> Result<String, String> {
    if let Some(set) = set {
        return Ok(set.to_owned());
    }
    let sets: Vec<&str> = model
        .container()
        .map(|c| c.entity_sets.iter().map(|s| s.name.as_str()).collect())
        .unwrap_or_default();
    match sets.as_slice() {
        [only] => Ok((*only).to_owned()),
        [] => Err("the model has no entity set; name the resource with --set".to_owned()),
        many => Err(format!(
            "the model has {} entity sets ({}); choose one with --set",
            many.len(),
            many.join(", ")
        )),
    }
}
