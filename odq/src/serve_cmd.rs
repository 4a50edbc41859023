//! `odq serve FILE.json [--name SET] [--port 8080]`: serves a JSON file (an array or an
//! OData response) as an OData entity set, with a model inferred from its first records
//! (or `--model`). Prints the URL on stdout, logs one line per request on stderr, and
//! stops cleanly on Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use clap::Args;
use odata_query::http::{JsonFile, ODataConfig, ODataService};
use odata_query::model::Model;

use crate::{fail, model_cmd};

/// How many records of the file the model is inferred from.
const SAMPLE_RECORDS: usize = 1000;

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// The JSON file: an array of records or an OData response with "value".
    file: String,
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
    let source = match JsonFile::open(&args.file) {
        Ok(source) => source,
        Err(error) => {
            let cause =
                std::error::Error::source(&error).map_or(error.to_string(), |c| c.to_string());
            return fail(&format!("serve: {}: {cause}", args.file));
        }
    };
    let sample = match source.sample(SAMPLE_RECORDS) {
        Ok(sample) => sample,
        Err(error) => {
            let cause =
                std::error::Error::source(&error).map_or(error.to_string(), |c| c.to_string());
            return fail(&format!("serve: {}: {cause}", args.file));
        }
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| model_cmd::default_name(&sample, &args.file));
    let model = match &args.model {
        Some(path) => model_cmd::load(path),
        None => Model::infer(&sample, &name).map_err(|e| format!("cannot infer a model: {e}")),
    };
    let model = match model {
        Ok(model) => model,
        Err(message) => return fail(&format!("serve: {message}")),
    };
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
    let how = if source.is_loaded() {
        "held in memory"
    } else {
        "streamed from disk per request"
    };
    let service = ODataService::new(config).entity_set(&name, source);
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
        eprintln!(
            "odq serve: {name} from {} ({how}) at http://{bound}/{name} (Ctrl-C stops)",
            args.file
        );
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
