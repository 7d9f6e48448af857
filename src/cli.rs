//! Command-line interface (names are stable: scripts and tests rely on them; see design.md).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const ENV_HELP: &str = "Environment (overrides the config file):
  GHL_TOKEN          Private Integration Token of the sub-account (never pass it as an argument);
                     when set, it is used instead of the locations signed in with `auth login`
  GHL_LOCATION_ID    the sub-account (location) id; optional when one location is signed in or
                     cached (else the most recent sign-in is used)
  GHL_CLIENT_ID, GHL_CLIENT_SECRET   the OAuth app, for `auth login` and token refresh
  GHL_AUTH_URL, GHL_TOKEN_URL, GHL_REDIRECT_URI   OAuth endpoints (defaults: GHL's)
  GHL_BASE_URL       API host (default https://services.leadconnectorhq.com)
  BMBY_SOAP_URL, BMBY_LOGIN, BMBY_PASSWORD, BMBY_PROJECT_ID   Bmby's SOAP web service
  BMBY_LEAD_PASSWORD the project's AddClient lead password (write-back of new clients only)
Try it without an account: bmby-ghl demo";

/// bmby-ghl: browse GoHighLevel contacts, tasks, notes and appointments from a local cache,
/// and review Bmby changes before they are written to GHL.
#[derive(Debug, Parser)]
#[command(name = "bmby-ghl", version, about, long_about = None, after_help = ENV_HELP)]
pub struct Cli {
    /// Where the cache and the log file live (default: the platform data dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Config file (default: config.toml in the platform config dir).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log level for the log file: error, warn, info, debug, trace.
    #[arg(long, global = true, value_name = "LEVEL", default_value = "info",
          value_parser = ["error", "warn", "info", "debug", "trace"])]
    pub log_level: String,
    /// The GHL location (sub-account) id to work on; overrides GHL_LOCATION_ID.
    #[arg(long, global = true, value_name = "ID")]
    pub location: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands. With none, the TUI opens on the configured location.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The TUI against the embedded GHL stand-in with seeded data, in a temporary data dir.
    Demo,
    /// Run the GHL stand-in as a standalone server on 127.0.0.1.
    Sandbox {
        /// Port to listen on (0 = any free port).
        #[arg(long, default_value_t = 8787)]
        port: u16,
    },
    /// Sign in to GHL locations (OAuth, or a Private Integration Token), list them, sign out.
    Auth {
        #[command(subcommand)]
        command: AuthCommand,
    },
    /// Pull GHL contacts into the cache (only what changed since the last pull, unless --full).
    Sync {
        /// Pull every contact again.
        #[arg(long)]
        full: bool,
    },
    /// List cached contacts.
    Contacts {
        /// Fuzzy filter over name, email, phone and tags.
        #[arg(long, short)]
        query: Option<String>,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// One contact with its tasks, notes and appointments (fetched fresh when online).
    Contact {
        /// The GHL contact id.
        id: String,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
        /// Use the cache only; don't ask GHL.
        #[arg(long)]
        offline: bool,
    },
    /// Read a Bmby export (xlsx or csv) and turn it into pending changes.
    Import {
        /// The export file (.xlsx, .xls, .csv).
        file: PathBuf,
        /// The file holds every client: linked clients missing from it become deletes.
        #[arg(long)]
        full: bool,
        /// Show what would change; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
        /// With --full: propose deletes even if the file lacks many linked clients (more than
        /// 10 and a fifth of them), which otherwise looks like a cut-off export.
        #[arg(long, requires = "full")]
        allow_mass_delete: bool,
    },
    /// Bmby's SOAP web service (credentials from BMBY_LOGIN, BMBY_PASSWORD, BMBY_PROJECT_ID or the [bmby] config).
    Bmby {
        #[command(subcommand)]
        command: BmbyCommand,
    },
    /// List changes (pending, approved, rejected) with their field-level diff.
    Changes {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
        /// Only changes in this state: pending, approved, rejected, in_flight, applied, failed,
        /// conflict, cancelled, or all.
        #[arg(long)]
        state: Option<String>,
    },
    /// Approve changes by id (a conflict is rebased on GHL's current values); send with `apply`.
    /// An ambiguous change needs a choice first: `--contact GHL_ID` (one of its candidates) or
    /// `--new` (a new contact), which settles it and approves it (`reset` undoes the choice).
    Approve {
        /// Change ids (see `bmby-ghl changes`); exactly one with --contact or --new.
        #[arg(required = true)]
        ids: Vec<u64>,
        /// For an ambiguous change: the GHL contact (one of its candidates) it updates. The
        /// Bmby client is linked to it, moving the link from any other client (said).
        #[arg(long, value_name = "GHL_ID", conflicts_with = "new")]
        contact: Option<String>,
        /// For an ambiguous change: create a new GHL contact instead of any candidate.
        #[arg(long)]
        new: bool,
    },
    /// Reject changes by id: they are not sent, and the same Bmby data does not bring them back.
    Reject {
        /// Change ids (see `bmby-ghl changes`).
        #[arg(required = true)]
        ids: Vec<u64>,
    },
    /// Put changes back to pending by id (the TUI's `u`): an ambiguous change settled with
    /// `approve --contact/--new` (or in the TUI) becomes ambiguous again and its links are put
    /// back. A sent change or a withdrawn hand edit cannot be.
    Reset {
        /// Change ids (see `bmby-ghl changes`).
        #[arg(required = true)]
        ids: Vec<u64>,
    },
    /// The journal of writes sent, oldest first: who, each field before → after, status,
    /// traceId (Israel time; `--json` keeps ISO 8601).
    Journal {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Propose the inverse of a journal entry's write as a pending change (review, approve and
    /// `apply` it as any other); prints the new change and its diff.
    Revert {
        /// The entry's number (`#12` in `bmby-ghl journal`).
        journal_id: u64,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Send approved changes to GHL (exactly once, resumable), or show what would be sent.
    Apply {
        /// Approve every pending change first (ambiguous ones excepted), then send all.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// Only these change ids (pending, failed or conflicting ones are approved first).
        ids: Vec<u64>,
        /// Print the exact HTTP requests (token redacted) instead of sending them.
        #[arg(long)]
        dry_run: bool,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Print the effective Bmby → GHL field mapping.
    Mapping {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Print the effective keymap, or check a keymap file.
    Keymap {
        /// A keymap file to validate (exit code 1 with the problems when it is bad).
        #[arg(long, value_name = "FILE")]
        check: Option<PathBuf>,
    },
}

/// `bmby …` subcommands.
#[derive(Debug, Subcommand)]
pub enum BmbyCommand {
    /// Read clients from Bmby SOAP `GetAll` and turn them into pending changes. The first pull
    /// (or `--full`) reads every client, so linked clients Bmby no longer has become deletes;
    /// later pulls ask only for clients modified since the last one (`FromDate`).
    Pull {
        /// Read every client (a full snapshot).
        #[arg(long)]
        full: bool,
        /// Show what would change; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
        /// Propose deletes even if a full read lacks many linked clients.
        #[arg(long)]
        allow_mass_delete: bool,
    },
    /// Propose write-backs to Bmby as pending changes: each GHL task of a linked contact → a
    /// Bmby task (`NewTask`), each note → a Bmby comment; with --new-clients, GHL contacts no
    /// Bmby client is linked to → new Bmby clients (`Insert`, or `AddClient` with only
    /// BMBY_LEAD_PASSWORD). Nothing is written before `apply`; each is proposed once.
    Push {
        /// Also propose unlinked GHL contacts with an email or phone as new Bmby clients.
        #[arg(long)]
        new_clients: bool,
        /// Show what would be proposed; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Fetch every linked contact's tasks and notes again, even when cached.
        #[arg(long)]
        refresh: bool,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// `auth …` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Sign in with OAuth 2.0 (GHL's chooselocation page). By default a listener on the
    /// 127.0.0.1 redirect URI receives the answer; with --no-browser (SSH sessions) the URL is
    /// printed and the redirect URL from the browser's address bar is pasted back.
    Login {
        /// Don't listen for the redirect: print the URL, then read the pasted redirect URL (or
        /// the bare code) from stdin. Automatic when the redirect URI is not a loopback URL.
        #[arg(long)]
        no_browser: bool,
        /// Store a Private Integration Token instead, read from stdin (or GHL_TOKEN); needs
        /// --location.
        #[arg(long)]
        token: bool,
        /// Ask without contacts.write: browsing only; the TUI runs read-only.
        #[arg(long)]
        read_only: bool,
        /// Seconds to wait for the redirect (listener only).
        #[arg(long, default_value_t = 300, value_name = "SECS")]
        timeout: u64,
        /// Open the TUI on the location once signed in.
        #[arg(long)]
        open: bool,
    },
    /// The signed-in locations: id, name, token kind, scopes, expiry, whether sign-in is needed.
    /// Never prints a token.
    Status {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Forget a location's tokens (the cache stays). GHL has no revocation endpoint: uninstall
    /// the app in GHL to revoke them there.
    Logout {
        /// The location id (default: the only signed-in location).
        location: Option<String>,
        /// Every location.
        #[arg(long, conflicts_with = "location")]
        all: bool,
    },
}
