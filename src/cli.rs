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
Where each setting comes from: bmby-ghl config
Try it without an account: bmby-ghl demo";

/// bmby-ghl: browse GoHighLevel contacts, tasks, notes and appointments from a local cache,
/// and review Bmby changes before they are written to GHL.
#[derive(Debug, Parser)]
#[command(name = "bmby-ghl", version = env!("BMBY_GHL_VERSION"), about, long_about = None, after_help = ENV_HELP)]
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
    /// List cached contacts, or search them: the same search as the TUI's `/` (see README
    /// "Search"). A bad filter exits with code 2 and says what is valid.
    Contacts {
        /// Words (name, email, phone in any form, tags, an id) and filters such as
        /// `tag:vip owner:dana updated:<2d`.
        #[arg(long, short)]
        query: Option<String>,
        /// Only contacts with this tag (`tag:` filter; repeatable).
        #[arg(long, value_name = "TAG")]
        tag: Vec<String>,
        /// Owned by this user, by name or id (`owner:`).
        #[arg(long, value_name = "USER")]
        owner: Vec<String>,
        /// Updated when: `<2d`, `>3w`, `2026-11-01`, `>2026-11-01` (Israel-time days; `updated:`).
        #[arg(long, value_name = "WHEN", allow_hyphen_values = true)]
        updated: Vec<String>,
        /// Source containing this text (`source:`).
        #[arg(long, value_name = "TEXT")]
        source: Vec<String>,
        /// Of this business, by name or id (`business:`).
        #[arg(long, value_name = "BUSINESS")]
        business: Vec<String>,
        /// Has this field: phone, email, tags, owner, business (`has:`).
        #[arg(long, value_name = "FIELD")]
        has: Vec<String>,
        /// DND on: sms, email, call, whatsapp, gmb, fb, all, any (`dnd:`).
        #[arg(long, value_name = "CHANNEL")]
        dnd: Vec<String>,
        /// List order, kept within each match tier: name, updated (newest first), email.
        #[arg(long, default_value = "name", value_parser = ["name", "updated", "email"])]
        sort: String,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// One contact with its tasks, notes and appointments (fetched fresh when online).
    Contact {
        /// The GHL contact id, or an email or phone (in any form) found in the cache or,
        /// when not cached and online, by a GHL search.
        id: String,
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
        /// Use the cache only; don't ask GHL.
        #[arg(long)]
        offline: bool,
    },
    /// Read a Bmby export (xlsx or csv) and turn it into pending changes.
    ///
    /// Columns are found by header name (`bmby-ghl mapping` lists the spellings); a column
    /// that feeds nothing is named in the summary.
    Import {
        /// The export file: a spreadsheet (.xlsx, .xlsm, .xlsb, .xls, .ods) or delimited text
        /// (.csv, .tsv, .txt).
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
    /// Print the effective Bmby → GHL field mapping and the export header spellings.
    Mapping {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The GHL Contacts API operations: `op list` shows all 32 (method, path, scope, whether it
    /// writes, how it is reached or why not); `op NAME …` runs one on the location. A write
    /// becomes a change that is approved and sent at once, as `apply ID` does (`--dry-run`:
    /// print the exact requests, store nothing).
    Op {
        #[command(subcommand)]
        command: OpCommand,
    },
    /// The contacts GHL changed since a time, newest first, with what changed where the pulls
    /// recorded the earlier values (the TUI's `U`). Reads the cache: `sync` first for the latest.
    Recent {
        /// `30m`, `2h`, `1d`, `1w`, a date (`2026-12-01`: from its start, Israel time), an
        /// Israel time (`2026-12-01 14:00`) or an ISO 8601 instant. Default: `1d`.
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
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
    /// Headless: keep the caches of the signed-in locations current (incremental pulls every
    /// `pull_interval_secs`, and a background crawl of every contact's tasks, notes and
    /// appointments within half of GHL's rate limit), send approved changes with --apply, until
    /// SIGTERM or Ctrl-C (the request in flight is finished first; exit code 0). `--location`
    /// (or GHL_LOCATION_ID, GHL_TOKEN) restricts it to one location. See README "serve".
    Serve {
        /// Send approved changes too (looked for every --apply-interval seconds), through the
        /// outbox exactly as `apply` does.
        #[arg(long)]
        apply: bool,
        /// Seconds between two looks for approved changes (with --apply).
        #[arg(long, default_value_t = 10, value_name = "SECS", requires = "apply")]
        apply_interval: u64,
        /// No background crawl of tasks, notes and appointments (pulls only).
        #[arg(long)]
        no_crawl: bool,
        /// Receive GHL webhooks on ADDR (IP:port, e.g. 127.0.0.1:8977; behind a TLS reverse
        /// proxy). Keys: `[webhooks]` in the config file, default GHL's published keys.
        #[arg(long, value_name = "ADDR")]
        webhooks: Option<String>,
        /// Where log lines go besides the log file: `text` (the log file only) or `json`
        /// (JSON lines on stderr too, for systemd/journald).
        #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
        log_format: crate::logging::LogFormat,
    },
    /// The effective configuration: each setting, its value and where it came from (flag,
    /// environment, config file, default). Secrets show only as "set" or "not set".
    Config {
        /// One JSON document on stdout.
        #[arg(long)]
        json: bool,
    },
    /// A shell completion script on stdout, e.g. `bmby-ghl completions bash >
    /// ~/.local/share/bash-completion/completions/bmby-ghl`.
    Completions {
        /// The shell: bash, zsh, fish, elvish, powershell.
        shell: clap_complete::Shell,
    },
    /// The manual page (roff) on stdout, generated from this command line's definition:
    /// `bmby-ghl man > bmby-ghl.1; man ./bmby-ghl.1`.
    Man,
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
        /// Sign in to an agency-level app (user_type=Company, paste-back): list the locations
        /// the app is installed on and take a token for one (--location, or asked).
        #[arg(long, conflicts_with = "token")]
        agency: bool,
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

/// Flags every `op NAME` takes.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct OpFlags {
    /// Print the exact HTTP requests (token redacted); send and store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// One JSON document on stdout (reads: GHL's answer, sanitized).
    #[arg(long)]
    pub json: bool,
}

/// `op …`: one subcommand per operation of the catalog (`bmby-ghl op list`).
#[derive(Debug, Subcommand)]
pub enum OpCommand {
    /// Every Contacts API operation: GHL method and path, scope, whether it writes, how it is
    /// reached (TUI action, command) or why it is left out.
    List {
        /// One JSON document on stdout: an array of objects.
        #[arg(long)]
        json: bool,
    },
    /// `POST /contacts/search`: contacts matching a query (one page).
    Search {
        /// Full-text query (≤ 75 characters).
        #[arg(long, short)]
        query: Option<String>,
        /// Page size (1–500).
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `GET /contacts/search/duplicate`: the contact GHL treats as the same person.
    FindDuplicate {
        #[arg(long, required_unless_present = "phone")]
        email: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `GET /contacts/{contactId}`: one contact.
    GetContact {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `GET /contacts/{contactId}/tasks`: a contact's tasks.
    Tasks {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `GET /contacts/{contactId}/notes`: a contact's notes.
    Notes {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `GET /contacts/{contactId}/appointments`: a contact's appointments.
    Appointments {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `PUT /contacts/{contactId}`: set fields (`--set email=a@b.c`; tags: add-tags/remove-tags).
    UpdateContact {
        #[arg(long, value_name = "ID")]
        contact: String,
        /// `FIELD=VALUE` (firstName, lastName, email, phone, address1, city, state, postalCode,
        /// country, website, timezone, source, dateOfBirth, customFields.ID); repeatable.
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}`: delete a contact.
    DeleteContact {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/{contactId}/tags`: add tags.
    AddTags {
        #[arg(long, value_name = "ID")]
        contact: String,
        /// A tag; repeatable.
        #[arg(long = "tag", value_name = "TAG", required = true)]
        tags: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}/tags`: remove tags.
    RemoveTags {
        #[arg(long, value_name = "ID")]
        contact: String,
        /// A tag; repeatable.
        #[arg(long = "tag", value_name = "TAG", required = true)]
        tags: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/{contactId}/tasks`: new task.
    CreateTask {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long)]
        title: String,
        /// Israel local `YYYY-MM-DD HH:MM` (a bare date is 09:00), or an ISO 8601 instant.
        #[arg(long)]
        due: String,
        #[arg(long, default_value = "")]
        body: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `PUT /contacts/{contactId}/tasks/{taskId}`: edit a task.
    UpdateTask {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long, value_name = "TASK_ID")]
        task: String,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        body: Option<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `PUT /contacts/{contactId}/tasks/{taskId}/completed`: complete a task (or reopen it).
    CompleteTask {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long, value_name = "TASK_ID")]
        task: String,
        /// Reopen instead.
        #[arg(long)]
        reopen: bool,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}/tasks/{taskId}`: delete a task.
    DeleteTask {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long, value_name = "TASK_ID")]
        task: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/{contactId}/notes`: new note.
    CreateNote {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long)]
        body: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `PUT /contacts/{contactId}/notes/{id}`: new text for a note.
    UpdateNote {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long, value_name = "NOTE_ID")]
        note: String,
        #[arg(long)]
        body: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}/notes/{id}`: delete a note.
    DeleteNote {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long, value_name = "NOTE_ID")]
        note: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/{contactId}/workflow/{workflowId}`: add a contact to a workflow.
    WorkflowAdd {
        #[arg(long, value_name = "ID")]
        contact: String,
        /// The workflow's name (or a unique part of it) or id.
        #[arg(long)]
        workflow: String,
        /// When the workflow starts for the contact: Israel time `YYYY-MM-DD HH:MM`, or ISO
        /// 8601 with an offset (sent as ISO 8601 UTC); a time in the past is refused.
        #[arg(long, value_name = "TIME")]
        event_start_time: Option<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}/workflow/{workflowId}`: remove a contact from a workflow.
    WorkflowRemove {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long)]
        workflow: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/{contactId}/campaigns/{campaignId}`: add a contact to a campaign.
    CampaignAdd {
        #[arg(long, value_name = "ID")]
        contact: String,
        /// The campaign's name (or a unique part of it) or id.
        #[arg(long)]
        campaign: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}/campaigns/{campaignId}`: remove it from a campaign.
    CampaignRemove {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long)]
        campaign: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}/campaigns/removeAll`: remove it from every campaign.
    CampaignRemoveAll {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/{contactId}/followers`: make users followers of a contact.
    #[command(alias = "follower-add")]
    FollowersAdd {
        #[arg(long, value_name = "ID")]
        contact: String,
        /// A user's name (or a unique part of it) or id; repeatable.
        #[arg(long = "user", value_name = "USER", required = true)]
        users: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `DELETE /contacts/{contactId}/followers`: remove followers of a contact.
    #[command(alias = "follower-remove")]
    FollowersRemove {
        #[arg(long, value_name = "ID")]
        contact: String,
        #[arg(long = "user", value_name = "USER", required = true)]
        users: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/bulk/business`: associate contacts with a business.
    BusinessSet {
        /// The business's name (or a unique part of it) or id.
        #[arg(long)]
        business: String,
        /// A contact id; repeatable.
        #[arg(long = "contact", value_name = "ID", required = true)]
        contacts: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/bulk/business` with `businessId: null`: clear contacts' business.
    BusinessClear {
        #[arg(long = "contact", value_name = "ID", required = true)]
        contacts: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `GET /contacts/business/{businessId}`: the contacts of a business.
    BusinessContacts {
        #[arg(long)]
        business: String,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/bulk/tags/update/{add|remove}`: tags on many contacts.
    BulkTags {
        /// Add the tags.
        #[arg(long, conflicts_with = "remove", required_unless_present = "remove")]
        add: bool,
        /// Remove the tags.
        #[arg(long)]
        remove: bool,
        #[arg(long = "tag", value_name = "TAG", required = true)]
        tags: Vec<String>,
        #[arg(long = "contact", value_name = "ID", required = true)]
        contacts: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// `POST /contacts/upsert`: create the contact if missing (held when the email and phone
    /// belong to different contacts).
    Upsert {
        /// `FIELD=VALUE`; repeatable (email or phone required).
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
        #[command(flatten)]
        flags: OpFlags,
    },
    /// Any other name: the catalog says why it is not offered.
    #[command(external_subcommand)]
    Other(Vec<String>),
}

impl OpCommand {
    /// The `op` command name (`workflow-add`); for [`OpCommand::Other`] the name typed.
    pub fn name(&self) -> &str {
        match self {
            OpCommand::List { .. } => "list",
            OpCommand::Search { .. } => "search",
            OpCommand::FindDuplicate { .. } => "find-duplicate",
            OpCommand::GetContact { .. } => "get-contact",
            OpCommand::Tasks { .. } => "tasks",
            OpCommand::Notes { .. } => "notes",
            OpCommand::Appointments { .. } => "appointments",
            OpCommand::UpdateContact { .. } => "update-contact",
            OpCommand::DeleteContact { .. } => "delete-contact",
            OpCommand::AddTags { .. } => "add-tags",
            OpCommand::RemoveTags { .. } => "remove-tags",
            OpCommand::CreateTask { .. } => "create-task",
            OpCommand::UpdateTask { .. } => "update-task",
            OpCommand::CompleteTask { .. } => "complete-task",
            OpCommand::DeleteTask { .. } => "delete-task",
            OpCommand::CreateNote { .. } => "create-note",
            OpCommand::UpdateNote { .. } => "update-note",
            OpCommand::DeleteNote { .. } => "delete-note",
            OpCommand::WorkflowAdd { .. } => "workflow-add",
            OpCommand::WorkflowRemove { .. } => "workflow-remove",
            OpCommand::CampaignAdd { .. } => "campaign-add",
            OpCommand::CampaignRemove { .. } => "campaign-remove",
            OpCommand::CampaignRemoveAll { .. } => "campaign-remove-all",
            OpCommand::FollowersAdd { .. } => "followers-add",
            OpCommand::FollowersRemove { .. } => "followers-remove",
            OpCommand::BusinessSet { .. } => "business-set",
            OpCommand::BusinessClear { .. } => "business-clear",
            OpCommand::BusinessContacts { .. } => "business-contacts",
            OpCommand::BulkTags { .. } => "bulk-tags",
            OpCommand::Upsert { .. } => "upsert",
            OpCommand::Other(v) => v.first().map(String::as_str).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    /// Every `op` command the catalog names exists, and every `op` subcommand is in the catalog.
    #[test]
    fn op_subcommands_are_the_catalog_commands() {
        let cmd = Cli::command();
        let op = cmd.find_subcommand("op").expect("op");
        let subs: Vec<&str> = op
            .get_subcommands()
            .map(|s| s.get_name())
            .filter(|n| *n != "list" && *n != "help")
            .collect();
        for o in crate::ops::CATALOG {
            for c in o.reach.op {
                assert!(
                    subs.contains(c),
                    "catalog names `op {c}`, which does not exist"
                );
            }
        }
        for s in &subs {
            assert!(
                crate::ops::CATALOG.iter().any(|o| o.reach.op.contains(s)),
                "`op {s}` is not in the catalog"
            );
        }
    }
}
