//! `odq serve FILE.json [--name SET] [--port 8080]`: serves a JSON file (an array or an
//! OData response) as an OData entity set, with a model inferred from its first records
//! (or `--model`). `odq serve --model M --db URL` serves every entity set of the model
//! from a database loaded by `odq load`, through the SQL translation. Prints the URL on
//! stdout, logs one line per request on stderr, and stops cleanly on Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use clap::Args;
use odata_query::http::{JsonFile, ODataConfig, ODataError, ODataService, SqlDatabase};
use odata_query::model::Model;

use crate::{db, fail, model_cmd};

/// How many records of the file the model is inferred from.
const SAMPLE_RECORDS: usize = 1000;

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The JSON file: an array of records or an OData response with "value".
    #[arg(required_unless_present = "db", conflicts_with = "db")]
    file: Option<String>,
    /// Serve every entity set of --model from this database (sqlite:PATH or
    /// postgres://user@host:port/db), loaded by `odq load`.
    #[arg(long, value_name = "URL", requires = "model")]
    db: Option<String>,
    /// A mapping file for the --db database.
    #[arg(long, value_name = "FILE", requires = "db")]
    mapping: Option<String>,
    /// The entity set name (default: from @odata.context, else the file name).
    #[arg(long)]
    name: Option<String>,
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to listen on. Only loopback by default; 0.0.0.0 serves the network.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// A CSDL model (XML or JSON) instead of inferring one from the file.
    #[arg(long)]
    model: Option<String>,
    /// Pages responses at N items (server-driven paging with @odata.nextLink).
    #[arg(long, value_name = "N")]
    page_size: Option<usize>,
    /// The evaluation deadline of one request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 500)]
    deadline_ms: u64,
    /// The evaluation memory budget of one request, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    memory_mib: u64,
    /// Check queries against the model (unknown properties are 400s); --no-check answers
    /// them with schemaless JSON semantics.
    #[arg(long)]
    no_check: bool,
    /// Do not log requests on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `odq serve`.
pub(crate) fn run(args: &ServeArgs) -> ExitCode {
    let served = match (&args.file, &args.db) {
        (_, Some(url)) => database_service(args, url),
        (Some(file), None) => file_service(args, file),
        (None, None) => Err("serve: give a FILE, or --model and --db".to_owned()),
    };
    let (service, what) = match served {
        Ok(served) => served,
        Err(message) => return fail(&message),
    };
    let mut router = service.router();
    if !args.quiet {
        router = router.layer(middleware::from_fn(log_request));
    }
    let address: SocketAddr = match format!("{}:{}", args.host, args.port).parse() {
        Ok(address) => address,
        Err(_) => match (args.host.as_str(), args.port) {
            ("localhost", port) => SocketAddr::from(([127, 0, 0, 1], port)),
            _ => {
                return fail(&format!(
                    "serve: invalid address {}:{}",
                    args.host, args.port
                ))
            }
        },
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("serve: cannot start the runtime: {e}")),
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => listener,
            Err(e) => return fail(&format!("serve: cannot listen on {address}: {e}")),
        };
        let bound = listener.local_addr().unwrap_or(address);
        // The URL alone on stdout, for scripts; the rest on stderr.
        println!("http://{bound}/");
        eprintln!("odq serve: {what} at http://{bound}/ (Ctrl-C stops)");
        match axum::serve(listener, router)
            .with_graceful_shutdown(shutdown())
            .await
        {
            Ok(()) => {
                eprintln!("odq serve: stopped");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("serve: {e}")),
        }
    })
}

/// The configuration every service gets from the flags.
fn config(args: &ServeArgs, model: Model) -> ODataConfig {
    let mut config = ODataConfig::new()
        .with_model(model)
        .with_deadline(Duration::from_millis(args.deadline_ms))
        .with_memory_budget(args.memory_mib.saturating_mul(1 << 20));
    if let Some(size) = args.page_size {
        config = config.with_max_page_size(size);
    }
    if args.no_check {
        config = config.without_check();
    }
    config
}

/// `odq serve FILE`: the file as one entity set, with an inferred model unless --model.
fn file_service(args: &ServeArgs, file: &str) -> Result<(ODataService, String), String> {
    let describe = |error: ODataError| {
        let cause = std::error::Error::source(&error).map_or(error.to_string(), |c| c.to_string());
        format!("serve: {file}: {cause}")
    };
    let source = JsonFile::open(file).map_err(describe)?;
    let sample = source.sample(SAMPLE_RECORDS).map_err(describe)?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| model_cmd::default_name(&sample, file));
    let model = match &args.model {
        Some(path) => model_cmd::load(path),
        None => Model::infer(&sample, &name).map_err(|e| format!("cannot infer a model: {e}")),
    }
    .map_err(|message| format!("serve: {message}"))?;
    let how = if source.is_loaded() {
        "held in memory"
    } else {
        "streamed from disk per request"
    };
    let what = format!("{name} from {file} ({how})");
    Ok((
        ODataService::new(config(args, model)).entity_set(name, source),
        what,
    ))
}

/// `odq serve --model M --db URL`: every entity set of the model, from the database.
fn database_service(args: &ServeArgs, url: &str) -> Result<(ODataService, String), String> {
    let Some(model_path) = &args.model else {
        return Err("serve: --db needs --model (the CSDL the database was loaded with)".into());
    };
    let model = db::read_model(model_path).map_err(|m| format!("serve: {m}"))?;
    let mapping =
        db::mapping(&model, args.mapping.as_deref()).map_err(|m| format!("serve: {m}"))?;
    let opened = if let Some(path) = url.strip_prefix("sqlite:") {
        SqlDatabase::sqlite(path, mapping)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        SqlDatabase::postgres(url, mapping)
    } else {
        return Err(format!(
            "serve: --db must be sqlite:PATH or postgres://user@host:port/db, not {url}"
        ));
    };
    let database = opened.map_err(|error| {
        let cause = std::error::Error::source(&error).map_or(error.to_string(), |c| c.to_string());
        format!("serve: {url}: {cause}")
    })?;
    let sets = database.entity_sets();
    let mut service = ODataService::new(config(args, model));
    for set in &sets {
        service = service.entity_set(set.clone(), database.entity_set(set.clone()));
    }
    Ok((service, format!("{} from {url}", sets.join(", "))))
}

/// Waits for Ctrl-C (or, on Unix, SIGTERM).
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = interrupt => {},
            () = terminate => {},
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}

/// Logs `GET /path?query 200 1.2ms` on stderr.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    eprintln!(
        "{method} {target} {} {:.1}ms",
        response.status().as_u16(),
        elapsed.as_secs_f64() * 1000.0
    );
    response
}
