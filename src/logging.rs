//! Logging to a file, never to the screen. Nothing secret is logged: tokens are [`crate::ghl::Secret`]
//! and never formatted, and contact records are not logged, only ids and counts.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging to `file` at `level` (`error` … `trace`, or an `EnvFilter` directive).
/// Keep the guard alive until exit so the last lines are written.
pub fn init(file: &Path, level: &str) -> std::io::Result<WorkerGuard> {
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
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok(guard)
}
