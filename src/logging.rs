//! Logging to a file, never to the screen. Nothing secret is logged: tokens are [`crate::ghl::Secret`]
//! and never formatted, and contact records are not logged, only ids and counts.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Where log lines go besides the log file (`bmby-ghl serve --log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// The log file only (plain text).
    #[default]
    Text,
    /// The log file, and one JSON object per line on stderr (systemd/journald): `timestamp`
    /// (RFC 3339 UTC), `level`, `target`, `message` and the event's fields at the top level.
    Json,
}

/// Starts logging to `file` at `level` (`error` … `trace`, or an `EnvFilter` directive).
/// Keep the guard alive until exit so the last lines are written.
pub fn init(file: &Path, level: &str) -> std::io::Result<WorkerGuard> {
    init_with(file, level, LogFormat::Text)
}

/// [`init`], with [`LogFormat::Json`] also writing JSON lines to stderr at the same level.
pub fn init_with(file: &Path, level: &str, format: LogFormat) -> std::io::Result<WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = file
        .file_name()
        .map(|n| n.to_owned())
        .unwrap_or_else(|| "bmby-ghl.log".into());
    let appender = tracing_appender::rolling::never(dir, name);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_new(format!("{level},hyper=info,reqwest=info,sled=warn,h2=info"))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let file_layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false);
    let json_layer = (format == LogFormat::Json).then(|| {
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(std::io::stderr)
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(json_layer)
        .try_init();
    Ok(guard)
}
