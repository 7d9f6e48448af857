//! The setup screen: what `bmby-ghl` shows when nothing is configured, and what `:setup`,
//! `:location add` and `:bmby login` reopen. Five steps, each skippable (`ctrl-s`):
//!
//! 1. **GHL**: a Private Integration Token pasted (bracketed paste; never echoed, only its
//!    length is shown) with the location id it belongs to, checked with one call
//!    (`GET /locations/{id}`, which names the location); or OAuth, the paste-back flow (the
//!    sign-in URL is shown and copied by OSC 52, the redirect URL pasted back) or the loopback
//!    flow (a listener on the registered `127.0.0.1` redirect URL), both those of
//!    `bmby-ghl auth login` ([`crate::auth::flow`], [`crate::auth::login`]).
//!    An agency-level app signs in the same paste-back way with `user_type=Company`
//!    ([`crate::auth::agency`]).
//! 2. **Location**: the signed-in locations of the token store by name; the one just signed in
//!    is chosen. After an agency sign-in: the locations the app is installed on
//!    (`GET /oauth/installedLocations`, by name); choosing one exchanges the agency token for a
//!    location token (`POST /oauth/locationToken`), saves it like any sign-in and goes on.
//! 3. **Bmby** (optional): SOAP login, password and project id, checked with one `GetAll` call
//!    (its first page is the mapping preview's sample); or "I use export files" with the folder
//!    they arrive in; or no Bmby.
//! 4. **Mapping**: the first Bmby clients mapped to GHL fields by the effective mapping, the
//!    location's custom fields (`GET /locations/{id}/customFields`), and the custom fields the
//!    mapping needs but the location lacks (the Bmby client id field first) with what to do.
//! 5. **Summary**: what will be written; enter writes the config file (mode 0600, atomic,
//!    comments kept: [`write`]); secrets stay in the token store (`<data dir>/auth/`). The UI
//!    then switches to the location (the loop restarts on it with a first pull in progress).
//!
//! Checks run off the UI thread as [`Effect::Setup`] tasks ([`work`]); their answers come back
//! through [`App::handle_setup_done`]. State and update code only here; lines in
//! [`setup_text`], drawing in [`setup_view`].

pub mod setup_text;
pub mod setup_view;
pub mod work;
pub mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::auth::{AgencyToken, InstalledLocation, OAuthSettings};
use crate::bmby::BmbyClient;
use crate::domain::CustomFieldDef;
use crate::ghl::Secret;

use super::action::Action;
use super::app::{App, Effect};
use super::keymap::KeyCombo;
use super::layer::Layer;

/// What the setup needs from the configuration (never a secret besides the OAuth app's).
#[derive(Debug, Clone)]
pub struct SetupEnv {
    /// The GHL API base URL (`GHL_BASE_URL`; a stand-in in tests).
    pub base_url: String,
    /// The OAuth app and endpoints (client id and secret from the environment or config).
    pub oauth: OAuthSettings,
    /// The data dir (token store under `auth/`).
    pub data_dir: PathBuf,
    /// The config file the summary writes.
    pub config_file: PathBuf,
    /// The Bmby SOAP URL (`BMBY_SOAP_URL` or the default).
    pub bmby_soap_url: String,
    /// Bmby login and project id already configured (prefilled).
    pub bmby_login: Option<String>,
    pub bmby_project_id: Option<String>,
    /// The `[mapping]` overrides of the config.
    pub mapping: BTreeMap<String, String>,
}

/// The steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Ghl,
    Location,
    Bmby,
    Mapping,
    Summary,
}

impl Step {
    /// Every step in order.
    pub const ALL: [Step; 5] = [
        Step::Ghl,
        Step::Location,
        Step::Bmby,
        Step::Mapping,
        Step::Summary,
    ];

    /// 1-based number of the step.
    pub fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// The step's title.
    pub fn title(self) -> &'static str {
        match self {
            Step::Ghl => "Connect GHL",
            Step::Location => "Choose the location",
            Step::Bmby => "Connect Bmby (optional)",
            Step::Mapping => "Field mapping preview",
            Step::Summary => "Summary",
        }
    }

    fn next(self) -> Step {
        let i = self.number();
        Step::ALL.get(i).copied().unwrap_or(Step::Summary)
    }

    fn prev(self) -> Option<Step> {
        let i = self.number();
        (i >= 2).then(|| Step::ALL[i - 2])
    }
}

/// How to sign in to GHL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GhlWay {
    Pit,
    OAuthPaste,
    OAuthBrowser,
    /// OAuth paste-back to an agency-level app (`user_type=Company`), then a location.
    OAuthAgency,
}

impl GhlWay {
    /// The choices in display order.
    pub const ALL: [GhlWay; 4] = [
        GhlWay::Pit,
        GhlWay::OAuthPaste,
        GhlWay::OAuthBrowser,
        GhlWay::OAuthAgency,
    ];

    /// The choice as listed.
    pub fn label(self) -> &'static str {
        match self {
            GhlWay::Pit => {
                "Private Integration Token (sub-account: Settings → Private Integrations)"
            }
            GhlWay::OAuthPaste => {
                "OAuth, over SSH: open the URL anywhere, paste the redirect URL back"
            }
            GhlWay::OAuthBrowser => "OAuth with a browser on this machine (loopback redirect)",
            GhlWay::OAuthAgency => "OAuth, agency app, over SSH: paste back, then pick a location",
        }
    }
}

/// Where Bmby clients come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BmbyWay {
    Soap,
    Export,
    Off,
}

impl BmbyWay {
    /// The choices in display order.
    pub const ALL: [BmbyWay; 3] = [BmbyWay::Soap, BmbyWay::Export, BmbyWay::Off];

    /// The choice as listed.
    pub fn label(self) -> &'static str {
        match self {
            BmbyWay::Soap => "Bmby web service (SOAP login from Bmby support)",
            BmbyWay::Export => "I use export files (xlsx/csv) from a folder",
            BmbyWay::Off => "No Bmby for now (browse GHL only)",
        }
    }
}

/// A text field of the setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The Private Integration Token (secret: never shown).
    Token,
    LocationId,
    /// The redirect URL pasted back after the OAuth page.
    Redirect,
    BmbyLogin,
    /// The Bmby SOAP password (secret: never shown).
    BmbyPassword,
    BmbyProject,
    ExportDir,
}

impl Field {
    /// The field's label.
    pub fn label(self) -> &'static str {
        match self {
            Field::Token => "Token",
            Field::LocationId => "Location id",
            Field::Redirect => "Redirect URL",
            Field::BmbyLogin => "Login",
            Field::BmbyPassword => "Password",
            Field::BmbyProject => "Project id",
            Field::ExportDir => "Folder",
        }
    }

    /// A secret: shown as its length only.
    pub fn secret(self) -> bool {
        matches!(self, Field::Token | Field::BmbyPassword)
    }
}

/// One focusable row of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Ghl(GhlWay),
    Bmby(BmbyWay),
    Input(Field),
    Location(usize),
    /// A location an agency app is installed on (index into [`AgencyGrant::locations`]).
    Installed(usize),
}

/// An agency sign-in: the agency token (in memory only) and the locations the app is
/// installed on.
#[derive(Debug, Clone)]
pub struct AgencyGrant {
    /// The agency (Company) token (a [`Secret`] inside: never shown).
    pub token: AgencyToken,
    /// Every location the app is installed on (`GET /oauth/installedLocations`), in GHL's order.
    pub locations: Vec<InstalledLocation>,
}

/// The state of a check.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Check {
    #[default]
    Idle,
    Running(String),
    Done(String),
    Failed(String),
}

/// A location the setup can open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationInfo {
    pub id: String,
    pub name: Option<String>,
    /// How it is signed in (`Private Integration Token`, `OAuth`).
    pub kind: String,
}

impl LocationInfo {
    /// `Name (id)`, or the id alone (clean: names come from GHL).
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("{} ({})", super::text::clean(n), self.id),
            None => self.id.clone(),
        }
    }
}

/// The OAuth paste-back sign-in in progress: the URL shown and the `state` it carries.
#[derive(Debug, Clone)]
pub struct OAuthPending {
    pub url: String,
    pub state: String,
}

/// The setup screen's state.
#[derive(Debug)]
pub struct Setup {
    pub env: SetupEnv,
    pub step: Step,
    /// Opened because nothing was configured (esc on the first step does not close it).
    pub first_run: bool,
    /// The focused row of the step.
    pub cursor: usize,
    pub ghl_way: Option<GhlWay>,
    pub token: Secret,
    pub location_input: String,
    pub oauth: Option<OAuthPending>,
    pub redirect_input: String,
    pub ghl_check: Check,
    /// Signed-in locations (token store), the chosen one.
    pub locations: Vec<LocationInfo>,
    pub location: Option<usize>,
    /// After an agency sign-in: the token and its installed locations (the location step
    /// lists these instead).
    pub agency: Option<AgencyGrant>,
    pub bmby_way: Option<BmbyWay>,
    pub bmby_login: String,
    pub bmby_password: Secret,
    pub bmby_project: String,
    pub export_dir: String,
    pub bmby_check: Check,
    /// The first Bmby clients (the login check's page), for the preview.
    pub sample: Vec<BmbyClient>,
    /// The location's custom fields (`None` while loading).
    pub custom_fields: Option<Result<Vec<CustomFieldDef>, String>>,
    pub write_check: Check,
    /// Steps skipped.
    pub skipped: Vec<Step>,
    /// Lines scrolled off the top of a step without rows (the mapping preview, the summary)
    /// when it is taller than the screen.
    pub scroll: u16,
}

/// A check or save the setup asks for (run by [`work::run`]). `Debug` never shows a secret.
#[derive(Debug, Clone)]
pub enum SetupTask {
    /// The signed-in locations of the token store.
    ListLocations,
    /// `GET /locations/{id}` with the token; on success the token is saved for the location.
    CheckPit { token: Secret, location_id: String },
    /// Exchange the pasted code (`POST /oauth/token`) and save the sign-in (the code is
    /// single use but still never shown: a [`Secret`]).
    ExchangeCode { code: Secret },
    /// The loopback OAuth flow: sends the URL, then the sign-in.
    OAuthLoopback,
    /// Exchange the pasted code of an agency app (`user_type=Company`) and list the locations
    /// the app is installed on.
    ExchangeAgencyCode { code: Secret },
    /// Exchange the agency token for a token of one installed location
    /// (`POST /oauth/locationToken`) and save the sign-in; `name` is the listed name.
    AgencyLocationToken {
        token: AgencyToken,
        location_id: String,
        name: String,
    },
    /// One clients `GetAll` call (the first page).
    CheckBmby {
        login: String,
        password: Secret,
        project_id: String,
    },
    /// The export folder exists and is readable (how many export files it holds).
    CheckFolder { path: String },
    /// The location's custom fields (`GET /locations/{id}/customFields`).
    LoadCustomFields { location_id: String },
    /// Write the config file (and the Bmby password to the secret store).
    Write {
        plan: write::ConfigPlan,
        bmby_password: Option<Secret>,
    },
}

/// An answer of a [`SetupTask`].
#[derive(Debug, Clone)]
pub enum SetupDone {
    Locations(Vec<LocationInfo>),
    /// The OAuth sign-in URL of the loopback flow (copied, shown).
    OAuthUrl(String),
    /// Signed in: the location and every signed-in one.
    SignedIn(Result<(LocationInfo, Vec<LocationInfo>), String>),
    /// Signed in to an agency app: the token and the installed locations.
    Agency(Result<AgencyGrant, String>),
    /// The installed location chosen is signed in: it and every signed-in one.
    LocationToken(Result<(LocationInfo, Vec<LocationInfo>), String>),
    Bmby(Result<Vec<BmbyClient>, String>),
    Folder(Result<usize, String>),
    CustomFields(Result<Vec<CustomFieldDef>, String>),
    Written(Result<(), String>),
}

impl Setup {
    /// A fresh setup on `step`.
    pub fn new(env: SetupEnv, step: Step, first_run: bool) -> Setup {
        Setup {
            bmby_login: env.bmby_login.clone().unwrap_or_default(),
            bmby_project: env.bmby_project_id.clone().unwrap_or_default(),
            env,
            step,
            first_run,
            cursor: 0,
            ghl_way: None,
            token: Secret::new(""),
            location_input: String::new(),
            oauth: None,
            redirect_input: String::new(),
            ghl_check: Check::Idle,
            locations: Vec::new(),
            location: None,
            agency: None,
            bmby_way: None,
            bmby_password: Secret::new(""),
            export_dir: String::new(),
            bmby_check: Check::Idle,
            sample: Vec::new(),
            custom_fields: None,
            write_check: Check::Idle,
            skipped: Vec::new(),
            scroll: 0,
        }
    }

    /// The focusable rows of the current step.
    pub fn rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        match self.step {
            Step::Ghl => {
                out.extend(GhlWay::ALL.map(Row::Ghl));
                match self.ghl_way {
                    Some(GhlWay::Pit) => {
                        out.push(Row::Input(Field::Token));
                        out.push(Row::Input(Field::LocationId));
                    }
                    Some(GhlWay::OAuthPaste | GhlWay::OAuthAgency) if self.oauth.is_some() => {
                        out.push(Row::Input(Field::Redirect))
                    }
                    _ => {}
                }
            }
            Step::Location => match &self.agency {
                Some(a) => out.extend((0..a.locations.len()).map(Row::Installed)),
                None => out.extend((0..self.locations.len()).map(Row::Location)),
            },
            Step::Bmby => {
                out.extend(BmbyWay::ALL.map(Row::Bmby));
                match self.bmby_way {
                    Some(BmbyWay::Soap) => out.extend(
                        [Field::BmbyLogin, Field::BmbyPassword, Field::BmbyProject].map(Row::Input),
                    ),
                    Some(BmbyWay::Export) => out.push(Row::Input(Field::ExportDir)),
                    _ => {}
                }
            }
            Step::Mapping | Step::Summary => {}
        }
        out
    }

    /// The focused row.
    pub fn focused(&self) -> Option<Row> {
        self.rows().get(self.cursor).copied()
    }

    /// The text of a plain field.
    pub fn field_text(&self, f: Field) -> &str {
        match f {
            Field::Token => self.token.expose(),
            Field::LocationId => &self.location_input,
            Field::Redirect => &self.redirect_input,
            Field::BmbyLogin => &self.bmby_login,
            Field::BmbyPassword => self.bmby_password.expose(),
            Field::BmbyProject => &self.bmby_project,
            Field::ExportDir => &self.export_dir,
        }
    }

    fn edit(&mut self, f: Field, op: impl FnOnce(&mut String)) {
        let secret_edit = |s: &mut Secret, op: Box<dyn FnOnce(&mut String) + '_>| {
            let mut t = s.expose().to_owned();
            op(&mut t);
            *s = Secret::new(t);
        };
        match f {
            Field::Token => secret_edit(&mut self.token, Box::new(op)),
            Field::BmbyPassword => secret_edit(&mut self.bmby_password, Box::new(op)),
            Field::LocationId => op(&mut self.location_input),
            Field::Redirect => op(&mut self.redirect_input),
            Field::BmbyLogin => op(&mut self.bmby_login),
            Field::BmbyProject => op(&mut self.bmby_project),
            Field::ExportDir => op(&mut self.export_dir),
        }
        // What was checked no longer holds.
        match f {
            Field::Token | Field::LocationId | Field::Redirect => self.ghl_check = Check::Idle,
            _ => self.bmby_check = Check::Idle,
        }
    }

    /// The location chosen (or signed in last).
    pub fn chosen_location(&self) -> Option<&LocationInfo> {
        self.location.and_then(|i| self.locations.get(i))
    }

    /// What the summary writes.
    pub fn plan(&self) -> write::ConfigPlan {
        let bmby_soap =
            self.bmby_way == Some(BmbyWay::Soap) && matches!(self.bmby_check, Check::Done(_));
        write::ConfigPlan {
            location_id: self.chosen_location().map(|l| l.id.clone()),
            base_url: (self.env.base_url.trim_end_matches('/')
                != crate::ghl::DEFAULT_BASE_URL.trim_end_matches('/'))
            .then(|| self.env.base_url.clone()),
            bmby_soap_url: bmby_soap.then(|| self.env.bmby_soap_url.clone()),
            bmby_login: bmby_soap.then(|| self.bmby_login.trim().to_owned()),
            bmby_project_id: bmby_soap.then(|| self.bmby_project.trim().to_owned()),
            bmby_export_dir: (self.bmby_way == Some(BmbyWay::Export)
                && matches!(self.bmby_check, Check::Done(_)))
            .then(|| {
                work::expand_home(self.export_dir.trim())
                    .to_string_lossy()
                    .into_owned()
            }),
        }
    }

    /// The effective mapping (defaults with the config's overrides; defaults when invalid).
    pub fn mapping(&self) -> crate::sync::mapping::Mapping {
        crate::sync::mapping::Mapping::with_overrides(&self.env.mapping).unwrap_or_default()
    }
}

fn env_missing() -> String {
    "setup is not available here (the demo and tests have no config file)".into()
}

/// `:setup`.
pub fn open_command(app: &mut App, _args: &[String]) -> Vec<Effect> {
    app.open_setup(Step::Ghl, false)
}

/// `:location add`.
pub fn location_add_command(app: &mut App, _args: &[String]) -> Vec<Effect> {
    app.open_setup(Step::Ghl, false)
}

/// `:bmby login`.
pub fn bmby_login_command(app: &mut App, _args: &[String]) -> Vec<Effect> {
    app.open_setup(Step::Bmby, false)
}

impl App {
    /// Opens the setup on `step` (`first_run`: nothing is configured; esc does not close it).
    /// The current location is chosen in advance when one is open.
    pub fn open_setup(&mut self, step: Step, first_run: bool) -> Vec<Effect> {
        self.dirty = true;
        let Some(env) = self.setup_env.clone() else {
            self.status.error = Some(env_missing());
            return Vec::new();
        };
        let mut s = Setup::new(env, step, first_run);
        if !self.locations.current.is_empty() {
            s.locations.push(LocationInfo {
                id: self.locations.current.clone(),
                name: None,
                kind: String::new(),
            });
            s.location = Some(0);
        }
        self.setup = Some(Box::new(s));
        let mut fx = vec![Effect::Setup(SetupTask::ListLocations)];
        if step == Step::Bmby {
            fx.extend(self.setup_entered());
        }
        fx
    }

    /// A key while the setup has the keyboard: printable keys type into the focused field,
    /// everything else goes through `[keys.setup]`.
    pub fn handle_setup_key(&mut self, key: KeyCombo) -> Vec<Effect> {
        self.dirty = true;
        let Some(s) = self.setup.as_mut() else {
            return Vec::new();
        };
        if let (Some(c), Some(Row::Input(f))) = (key.printable(), s.focused()) {
            s.edit(f, |t| t.push(c));
            return Vec::new();
        }
        let Some(a) = self.keymap.lookup(&Layer::Setup.chain(), key) else {
            return Vec::new();
        };
        self.handle_setup_action(a)
    }

    /// A bracketed paste while the setup is open: into the focused field (line breaks and
    /// control characters dropped; a secret is never shown, only its length).
    pub fn handle_setup_paste(&mut self, text: &str) -> Vec<Effect> {
        self.dirty = true;
        let Some(s) = self.setup.as_mut() else {
            return Vec::new();
        };
        let flat: String = text
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim()
            .to_owned();
        match s.focused() {
            Some(Row::Input(f)) => s.edit(f, |t| t.push_str(&flat)),
            _ => {
                self.status.info =
                    Some("paste ignored: move to a field first (tab or the arrows)".into())
            }
        }
        Vec::new()
    }

    /// An action of the setup's keymap.
    pub fn handle_setup_action(&mut self, a: Action) -> Vec<Effect> {
        self.dirty = true;
        let Some(s) = self.setup.as_mut() else {
            return Vec::new();
        };
        match a {
            Action::Quit => self.should_quit = true,
            Action::NavDown => {
                let n = s.rows().len();
                if n > 0 {
                    s.cursor = (s.cursor + 1) % n;
                } else {
                    // Clamped to the text's length when drawn (`setup_text::lines`).
                    s.scroll = s.scroll.saturating_add(1).min(200);
                }
            }
            Action::NavUp => {
                let n = s.rows().len();
                if n > 0 {
                    s.cursor = (s.cursor + n - 1) % n;
                } else {
                    s.scroll = s.scroll.saturating_sub(1);
                }
            }
            Action::EditDeleteBack => {
                if let Some(Row::Input(f)) = s.focused() {
                    s.edit(f, |t| {
                        t.pop();
                    });
                }
            }
            Action::EditClear => {
                if let Some(Row::Input(f)) = s.focused() {
                    s.edit(f, String::clear);
                }
            }
            Action::SetupCopyUrl => {
                if let Some(p) = &s.oauth {
                    self.status.info = Some("sign-in URL copied (OSC 52)".into());
                    return vec![Effect::Clipboard(p.url.clone())];
                }
                self.status.info = Some("no sign-in URL yet: choose an OAuth way first".into());
            }
            Action::SetupBack => match s.step.prev() {
                Some(p) => {
                    s.step = p;
                    s.cursor = 0;
                    s.scroll = 0;
                }
                None if s.first_run => {
                    self.status.info =
                        Some("this is the first step (ctrl-s skips it, ctrl-c quits)".into())
                }
                None => self.setup = None,
            },
            Action::SetupSkip => {
                let step = s.step;
                if !s.skipped.contains(&step) {
                    s.skipped.push(step);
                }
                return self.setup_advance();
            }
            Action::SetupNext => return self.setup_next(),
            _ => {}
        }
        Vec::new()
    }

    /// Goes to the next step and starts what it needs.
    fn setup_advance(&mut self) -> Vec<Effect> {
        let Some(s) = self.setup.as_mut() else {
            return Vec::new();
        };
        s.step = s.step.next();
        s.cursor = 0;
        s.scroll = 0;
        if s.step == Step::Location {
            s.cursor = s.location.unwrap_or(0);
        }
        self.setup_entered()
    }

    /// What a step starts when it is entered (the mapping loads the custom fields).
    fn setup_entered(&mut self) -> Vec<Effect> {
        let Some(s) = self.setup.as_mut() else {
            return Vec::new();
        };
        if s.step == Step::Mapping {
            if let Some(id) = s.chosen_location().map(|l| l.id.clone()) {
                s.custom_fields = None;
                return vec![Effect::Setup(SetupTask::LoadCustomFields {
                    location_id: id,
                })];
            }
            s.custom_fields = Some(Err("no location chosen".into()));
        }
        Vec::new()
    }

    /// Enter: choose the focused option, run the step's check, or go on.
    fn setup_next(&mut self) -> Vec<Effect> {
        let Some(s) = self.setup.as_mut() else {
            return Vec::new();
        };
        // While a check runs its fields stay as sent; another way can still be chosen (e.g.
        // a token instead of waiting for the browser).
        let on_choice = matches!(s.focused(), Some(Row::Ghl(_) | Row::Bmby(_)));
        if !on_choice
            && (matches!(s.ghl_check, Check::Running(_))
                || matches!(s.bmby_check, Check::Running(_))
                || matches!(s.write_check, Check::Running(_)))
        {
            self.status.info = Some("a check is running; wait for its answer".into());
            return Vec::new();
        }
        match (s.step, s.focused()) {
            (Step::Ghl, Some(Row::Ghl(w))) => {
                s.ghl_way = Some(w);
                s.ghl_check = Check::Idle;
                s.agency = None;
                match w {
                    GhlWay::Pit => {
                        s.cursor = GhlWay::ALL.len();
                    }
                    GhlWay::OAuthPaste | GhlWay::OAuthAgency => {
                        let endpoint = match crate::auth::TokenEndpoint::new(&s.env.oauth) {
                            Ok(e) => e,
                            Err(e) => {
                                s.ghl_check = Check::Failed(oauth_app_problem(&e.to_string()));
                                return Vec::new();
                            }
                        };
                        let state = crate::auth::login::new_state();
                        let scopes = if w == GhlWay::OAuthAgency {
                            crate::auth::agency::agency_scopes()
                        } else {
                            crate::auth::SCOPES.iter().map(|s| s.to_string()).collect()
                        };
                        let url = endpoint.authorize_url(&scopes, &state).to_string();
                        s.oauth = Some(OAuthPending {
                            url: url.clone(),
                            state,
                        });
                        s.redirect_input.clear();
                        s.cursor = GhlWay::ALL.len();
                        self.status.info = Some("sign-in URL copied (OSC 52)".into());
                        return vec![Effect::Clipboard(url)];
                    }
                    GhlWay::OAuthBrowser => {
                        s.oauth = None;
                        s.ghl_check =
                            Check::Running("waiting for the browser to come back…".into());
                        return vec![Effect::Setup(SetupTask::OAuthLoopback)];
                    }
                }
            }
            (Step::Ghl, Some(Row::Input(f))) => {
                let last = s.rows().len() - 1;
                if s.cursor < last {
                    s.cursor += 1;
                    return Vec::new();
                }
                return match f {
                    Field::Redirect => {
                        let Some(p) = &s.oauth else {
                            return Vec::new();
                        };
                        match crate::auth::login::parse_pasted(&s.redirect_input, &p.state) {
                            Ok(code) if s.ghl_way == Some(GhlWay::OAuthAgency) => {
                                s.ghl_check = Check::Running(
                                    "signing in to the agency app and listing its locations…"
                                        .into(),
                                );
                                vec![Effect::Setup(SetupTask::ExchangeAgencyCode {
                                    code: Secret::new(code),
                                })]
                            }
                            Ok(code) => {
                                s.ghl_check = Check::Running("signing in…".into());
                                vec![Effect::Setup(SetupTask::ExchangeCode {
                                    code: Secret::new(code),
                                })]
                            }
                            Err(e) => {
                                s.ghl_check = Check::Failed(e.to_string());
                                Vec::new()
                            }
                        }
                    }
                    _ => {
                        let token = s.token.expose().trim().to_owned();
                        let loc = s.location_input.trim().to_owned();
                        if token.is_empty() || loc.is_empty() {
                            s.ghl_check = Check::Failed(
                                "paste the token and type the location id (GHL: Settings → Business Profile)"
                                    .into(),
                            );
                            return Vec::new();
                        }
                        s.ghl_check = Check::Running(format!("checking the token on {loc}…"));
                        vec![Effect::Setup(SetupTask::CheckPit {
                            token: Secret::new(token),
                            location_id: loc,
                        })]
                    }
                };
            }
            (Step::Ghl, _) => {
                if matches!(s.ghl_check, Check::Done(_)) {
                    return self.setup_advance();
                }
            }
            (Step::Location, Some(Row::Location(i))) => {
                s.location = Some(i);
                return self.setup_advance();
            }
            (Step::Location, Some(Row::Installed(i))) => {
                let Some(a) = &s.agency else {
                    return Vec::new();
                };
                let Some(l) = a.locations.get(i) else {
                    return Vec::new();
                };
                s.ghl_check = Check::Running(format!(
                    "getting a token for {}…",
                    super::text::clean(&l.name)
                ));
                return vec![Effect::Setup(SetupTask::AgencyLocationToken {
                    token: a.token.clone(),
                    location_id: l.id.clone(),
                    name: l.name.clone(),
                })];
            }
            (Step::Location, _) => {
                self.status.info =
                    Some("no location signed in: esc goes back to GHL, ctrl-s skips".into());
            }
            (Step::Bmby, Some(Row::Bmby(w))) => {
                s.bmby_way = Some(w);
                s.bmby_check = Check::Idle;
                match w {
                    BmbyWay::Off => {
                        s.sample.clear();
                        return self.setup_advance();
                    }
                    _ => s.cursor = BmbyWay::ALL.len(),
                }
            }
            (Step::Bmby, Some(Row::Input(_))) => {
                let last = s.rows().len() - 1;
                if s.cursor < last {
                    s.cursor += 1;
                    return Vec::new();
                }
                return match s.bmby_way {
                    Some(BmbyWay::Export) => {
                        s.bmby_check = Check::Running("looking at the folder…".into());
                        vec![Effect::Setup(SetupTask::CheckFolder {
                            path: s.export_dir.trim().to_owned(),
                        })]
                    }
                    _ => {
                        let (login, project) = (
                            s.bmby_login.trim().to_owned(),
                            s.bmby_project.trim().to_owned(),
                        );
                        if login.is_empty()
                            || project.is_empty()
                            || s.bmby_password.expose().is_empty()
                        {
                            s.bmby_check = Check::Failed(
                                "type the login, the password and the project id (Bmby support issues them)".into(),
                            );
                            return Vec::new();
                        }
                        s.bmby_check = Check::Running("logging in to Bmby…".into());
                        vec![Effect::Setup(SetupTask::CheckBmby {
                            login,
                            password: s.bmby_password.clone(),
                            project_id: project,
                        })]
                    }
                };
            }
            (Step::Bmby, _) => {}
            (Step::Mapping, _) => return self.setup_advance(),
            (Step::Summary, _) => {
                let password = (s.bmby_way == Some(BmbyWay::Soap)
                    && matches!(s.bmby_check, Check::Done(_)))
                .then(|| s.bmby_password.clone());
                s.write_check = Check::Running("writing the configuration…".into());
                return vec![Effect::Setup(SetupTask::Write {
                    plan: s.plan(),
                    bmby_password: password,
                })];
            }
        }
        Vec::new()
    }

    /// The answer of a setup task.
    pub fn handle_setup_done(&mut self, done: SetupDone) -> Vec<Effect> {
        self.dirty = true;
        let Some(s) = self.setup.as_mut() else {
            return Vec::new();
        };
        match done {
            SetupDone::Locations(list) => {
                let keep = s.chosen_location().map(|l| l.id.clone());
                merge_locations(s, list);
                if let Some(id) = keep {
                    s.location = s.locations.iter().position(|l| l.id == id);
                }
            }
            SetupDone::OAuthUrl(url) => {
                s.oauth = Some(OAuthPending {
                    url: url.clone(),
                    state: String::new(),
                });
                return vec![Effect::Clipboard(url)];
            }
            SetupDone::SignedIn(Ok((loc, all))) => {
                s.ghl_check = Check::Done(format!("signed in to {}", loc.label()));
                s.token = Secret::new("");
                merge_locations(s, all);
                s.location = s.locations.iter().position(|l| l.id == loc.id);
                if s.step == Step::Ghl {
                    return self.setup_advance();
                }
            }
            SetupDone::SignedIn(Err(e)) => s.ghl_check = Check::Failed(e),
            SetupDone::Agency(Ok(grant)) => {
                let n = grant.locations.len();
                s.ghl_check = Check::Done(format!(
                    "signed in to agency {}: the app is installed on {n} location{}",
                    grant.token.company_id,
                    if n == 1 { "" } else { "s" }
                ));
                s.agency = Some(grant);
                if s.step == Step::Ghl {
                    s.step = Step::Location;
                    s.cursor = 0;
                    s.scroll = 0;
                }
            }
            SetupDone::Agency(Err(e)) => s.ghl_check = Check::Failed(e),
            SetupDone::LocationToken(Ok((loc, all))) => {
                s.ghl_check = Check::Done(format!("signed in to {}", loc.label()));
                merge_locations(s, all);
                s.location = s.locations.iter().position(|l| l.id == loc.id);
                if s.step == Step::Location {
                    return self.setup_advance();
                }
            }
            SetupDone::LocationToken(Err(e)) => s.ghl_check = Check::Failed(e),
            SetupDone::Bmby(Ok(clients)) => {
                s.bmby_check = Check::Done(format!(
                    "Bmby login checked: {} client{} on the first page",
                    clients.len(),
                    if clients.len() == 1 { "" } else { "s" }
                ));
                s.sample = clients;
                if s.step == Step::Bmby {
                    return self.setup_advance();
                }
            }
            SetupDone::Bmby(Err(e)) => s.bmby_check = Check::Failed(e),
            SetupDone::Folder(Ok(n)) => {
                s.bmby_check = Check::Done(format!(
                    "folder found: {n} export file{} in it now",
                    if n == 1 { "" } else { "s" }
                ));
                s.sample.clear();
                if s.step == Step::Bmby {
                    return self.setup_advance();
                }
            }
            SetupDone::Folder(Err(e)) => s.bmby_check = Check::Failed(e),
            SetupDone::CustomFields(r) => s.custom_fields = Some(r),
            SetupDone::Written(Err(e)) => s.write_check = Check::Failed(e),
            SetupDone::Written(Ok(())) => {
                let path = s.env.config_file.display().to_string();
                let loc = s.chosen_location().map(|l| l.id.clone());
                self.setup = None;
                match loc {
                    Some(l) => {
                        self.status.info = Some(format!("configuration written to {path}"));
                        self.locations.switch_to = Some(l);
                    }
                    None => {
                        self.status.info = Some(format!(
                            "configuration written to {path}; no GHL location yet (:setup)"
                        ));
                    }
                }
            }
        }
        Vec::new()
    }
}

/// Adds the store's locations to the setup's list (names filled in, order kept).
fn merge_locations(s: &mut Setup, list: Vec<LocationInfo>) {
    for l in list {
        match s.locations.iter_mut().find(|x| x.id == l.id) {
            Some(x) => {
                if l.name.is_some() {
                    x.name = l.name;
                }
                if !l.kind.is_empty() {
                    x.kind = l.kind;
                }
            }
            None => s.locations.push(l),
        }
    }
}

/// What to do when the OAuth app is not configured.
fn oauth_app_problem(e: &str) -> String {
    format!(
        "{e}. OAuth needs a GHL Marketplace app: set GHL_CLIENT_ID and GHL_CLIENT_SECRET (or client_id under [ghl]) and start again, or use a Private Integration Token"
    )
}
