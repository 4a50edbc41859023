//! The seed's uploadSessions service over SQLite: the model is the hand-written CSDL in
//! `examples/upload-sessions.csdl.xml` (`files` a contained navigation, so a child
//! table), the embedded sample is loaded into a database file, and every request is pushed
//! down to SQLite through the SQL translation by the `ODataService` router.
//!
//! ```sh
//! cargo run --release --features axum,sqlite,sample --example graph_server -- 8083
//! curl 'http://127.0.0.1:8083/uploadSessions?$expand=files($filter=size%20gt%201000000;$orderby=uploadedDateTime%20desc)&$top=5&$count=true'
//! curl "http://127.0.0.1:8083/uploadSessions('094546ce-43c2-4474-a0e4-d01e235f461f')/files?\$orderby=name"
//! curl 'http://127.0.0.1:8083/$metadata'
//! ```

use odata_query::http::{ODataConfig, ODataService, SqlDatabase};
use odata_query::model::Model;
use odata_query::sql::{sqlite, Mapping};
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8083);
    let model = Model::from_csdl_xml(include_str!("upload-sessions.csdl.xml"))?;
    let mapping = Mapping::from_model(&model)?;

    // A fresh database file with the sample's eight sessions and their files.
    let path = std::env::temp_dir().join(format!("graph-server-{}.sqlite", std::process::id()));
    let path = path.to_string_lossy().into_owned();
    let mut connection = sqlite::open(&path)?;
    sqlite::drop_tables(&connection, &mapping)?;
    sqlite::create_tables(&connection, &mapping)?;
    let sample: Value = serde_json::from_str(odata_query::sample::UPLOAD_SESSIONS)?;
    let records = sample["value"].as_array().cloned().unwrap_or_default();
    sqlite::load(&mut connection, &mapping, "uploadSessions", &records, None)?;
    drop(connection);

    let database = SqlDatabase::sqlite(&path, mapping)?;
    let service = ODataService::new(ODataConfig::new().with_model(model).with_max_page_size(100))
        .entity_set("uploadSessions", database.entity_set("uploadSessions"));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("http://{}/", listener.local_addr()?);
        axum::serve(listener, service.router()).await
    })?;
    std::fs::remove_file(&path).ok();
    Ok(())
}
