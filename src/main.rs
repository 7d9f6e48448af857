//! `bmby-ghl`: parse the command line, set up errors and logging, run the command.
use std::process::ExitCode;

use bmby_ghl::cli::{Cli, Command};
use bmby_ghl::config::{self, Paths};
use bmby_ghl::{commands, logging};
use clap::Parser;

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    install_panic_hook();
    match real_main(cli) {
        Ok(code) => ExitCode::from(code as u8),
        // `bmby-ghl contacts --json | head`: the reader went away; that is not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            // A bad argument exits 2, as clap's own errors.
            ExitCode::from(commands::exit_code(&e))
        }
    }
}

/// glibc gives each thread that allocates its own malloc arena (up to 8 per core), and memory
/// freed in one is not reused by another: the pull's page thread, the filter threads and
/// sled's threads grew a 100k pull's peak RSS from 78 to 119–162 MB (issue 14, measured with
/// `GLIBC_TUNABLES=glibc.malloc.arena_max=1`). Two arenas keep that memory shared while the
/// UI thread and one worker still allocate without waiting on each other.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called first thing in main, before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// color-eyre's panic report, but not its error-report hook: with `RUST_BACKTRACE=1` in the
/// environment that hook captures *and resolves* a backtrace for every `eyre::Report` made,
/// even one handled and never shown (a start without a GHL sign-in makes one): resolving maps
/// the binary's debug info and parses it, which cost a 100k-contact TUI start about 400 ms and
/// 150 MB of its 226 MB peak RSS (issue 14). eyre's own handler captures lazily (resolved
/// only if a report is printed with `{:?}`); errors are printed with `{:#}`, the same text
/// with either handler.
fn install_panic_hook() {
    let (panic_hook, _reports) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .into_hooks();
    panic_hook.install();
}

fn real_main(cli: Cli) -> color_eyre::Result<i32> {
    let is_demo = matches!(cli.command, Some(Command::Demo));
    // The demo runs in a temporary data dir unless one is given.
    let temp = if is_demo && cli.data_dir.is_none() {
        Some(tempfile::tempdir()?)
    } else {
        None
    };
    let data_dir = cli
        .data_dir
        .clone()
        .or_else(|| temp.as_ref().map(|t| t.path().to_path_buf()));
    // A `--config FILE` that does not exist is an error (a typo must not run on defaults).
    config::require_explicit(cli.config.as_deref())?;
    if let Some(d) = cli.data_dir.as_deref() {
        commands::check_data_dir(d)?;
    }
    let paths = Paths::resolve(cli.config.as_deref(), data_dir.as_deref());
    if let Some(Command::Config { json }) = cli.command {
        let flags = config::report::Flags {
            config: cli.config.as_deref(),
            data_dir: cli.data_dir.as_deref(),
            location: cli.location.as_deref(),
        };
        return commands::config_cmd(&paths, &flags, &|k| std::env::var(k).ok(), json);
    }
    // `serve --log-format json`: JSON lines on stderr too (systemd/journald).
    let log_format = match &cli.command {
        Some(Command::Serve { log_format, .. }) => *log_format,
        _ => logging::LogFormat::Text,
    };
    let _log = logging::init_with(&paths.log_file(), &cli.log_level, log_format)?;
    tracing::info!(version = env!("BMBY_GHL_VERSION"), command = ?cli.command, "start");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("bmby-ghl-worker")
        .build()?;
    let mut fresh = None;
    let code = if is_demo {
        commands::demo(&paths, &rt, cli.data_dir.is_some())
    } else {
        let mut settings = config::load(&paths.config_file, &|k| std::env::var(k).ok())?;
        settings.only_cached_location = config::only_cached_location(&paths.data_dir);
        settings.data_dir = Some(paths.data_dir.clone());
        commands::fill_bmby_password(&mut settings, &paths);
        if let Some(l) = cli.location.clone() {
            settings.location_id = Some(l);
        }
        // A location whose cache this run creates and leaves empty (a wrong id) is removed
        // once the runtime (and every task holding the cache) has stopped.
        fresh = commands::known_locations::FreshCache::note(&settings);
        commands::run(cli.command, &paths, &settings, &rt)
    };
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    if let Some(f) = fresh {
        f.discard_if_unused();
    }
    code
}
