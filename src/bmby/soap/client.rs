//! The HTTP side: one `reqwest` client, retries with exponential backoff and jitter, cursor
//! paging, and the five operations.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use reqwest::Url;

use super::envelope::{self, GetAllParams, NS_CLIENTS, NS_TASKS};
use super::error::{BmbySoapError, Operation};
use super::parse::{self, scrub, Page};
use super::types::{AddClientInput, ClientsRead, NewTaskInput};
use super::BmbySoapConfig;
use crate::bmby::BmbyClient;

/// Upper bound on pages in one read; a cursor that is still moving after this many pages is
/// treated as stuck (1000 rows a page makes this ten million rows).
const MAX_PAGES: usize = 10_000;

/// Client for Bmby's SOAP v3 web services and the AddClient lead endpoint. Cheap to clone.
///
/// The password is sent only inside request bodies; it never appears in URLs, logs, errors or
/// `Debug` output.
#[derive(Clone, Debug)]
pub struct BmbySoapClient {
    cfg: Arc<BmbySoapConfig>,
    clients_url: Url,
    http: reqwest::Client,
}

enum Payload {
    Soap { action: String, xml: String },
    Form(Vec<(String, String)>),
}

/// `scheme://host[:port]/path` without user info or query, for messages.
fn display_url(u: &Url) -> String {
    let mut u = u.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
}

impl BmbySoapClient {
    /// Checks the URL and builds the HTTP client (timeout from the config).
    /// Errors: [`BmbySoapError::Config`] for an unusable URL.
    pub fn new(cfg: BmbySoapConfig) -> Result<Self, BmbySoapError> {
        let mut url = Url::parse(cfg.url.trim())
            .map_err(|e| BmbySoapError::Config(format!("BMBY_SOAP_URL is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BmbySoapError::Config(
                "BMBY_SOAP_URL must be http:// or https://".into(),
            ));
        }
        // `…/v3` → `…/v3/` so that `tasks.php` resolves next to the clients service.
        let last = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or("");
        if !last.is_empty() && !last.contains('.') {
            let p = format!("{}/", url.path());
            url.set_path(&p);
        }
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(15)))
            .build()
            .map_err(|e| BmbySoapError::Config(format!("HTTP client: {e}")))?;
        Ok(BmbySoapClient {
            cfg: Arc::new(cfg),
            clients_url: url,
            http,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &BmbySoapConfig {
        &self.cfg
    }

    /// URL of the clients service (`GetAll`, `GetAllJson`, `Insert`): the configured URL.
    pub fn clients_url(&self) -> String {
        self.clients_url.to_string()
    }

    /// URL of the tasks service: `tasks.php` next to the clients service.
    pub fn tasks_url(&self) -> String {
        self.clients_url
            .join("tasks.php")
            .map(|u| u.to_string())
            .unwrap_or_else(|_| self.clients_url())
    }

    /// URL of the lead endpoint: `add_client_url` if configured, else
    /// `/shared/AddClient/index.php` on the SOAP URL's host.
    pub fn add_client_url(&self) -> String {
        if let Some(u) = &self.cfg.add_client_url {
            return u.clone();
        }
        self.clients_url
            .join("/shared/AddClient/index.php")
            .map(|u| u.to_string())
            .unwrap_or_else(|_| self.clients_url())
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.cfg.backoff_base.as_millis() as u64;
        let cap = self.cfg.backoff_cap.as_millis() as u64;
        let full = base
            .saturating_mul(1u64 << attempt.saturating_sub(1).min(20))
            .min(cap.max(base));
        // Equal jitter: half fixed, half random.
        let half = full / 2;
        Duration::from_millis(half + rand::rng().random_range(0..=half.max(1)))
    }

    /// One HTTP exchange: the body text of a 2xx answer; SOAP faults (any status) and other
    /// statuses become errors.
    async fn once(
        &self,
        op: Operation,
        url: &Url,
        payload: &Payload,
    ) -> Result<String, BmbySoapError> {
        let shown = display_url(url);
        let req = self.http.post(url.clone());
        let req = match payload {
            Payload::Soap { action, xml } => req
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", format!("\"{action}\""))
                .body(xml.clone()),
            Payload::Form(fields) => req.form(fields),
        };
        let transport = |e: reqwest::Error| {
            let connect = e.is_connect();
            let e = e.without_url();
            BmbySoapError::Transport {
                operation: op,
                url: shown.clone(),
                message: scrub(&error_chain(&e), self.cfg.password.expose()),
                connect,
            }
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(transport)?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let pw = self.cfg.password.expose();
        if let Some((code, msg)) = parse::fault_in(&text) {
            return Err(BmbySoapError::Fault {
                operation: op,
                code: scrub(&code, pw),
                message: scrub(&msg, pw),
            });
        }
        let snippet: String = text.chars().take(200).collect();
        Err(BmbySoapError::Http {
            operation: op,
            url: shown,
            status,
            snippet: scrub(&snippet, pw),
        })
    }

    /// [`Self::once`] with retries. Reads (`idempotent`) retry every 5xx and transport error;
    /// writes retry only 503 and failures to connect, which cannot have reached Bmby.
    async fn exchange(
        &self,
        op: Operation,
        url: &Url,
        payload: Payload,
        idempotent: bool,
    ) -> Result<String, BmbySoapError> {
        let max = self.cfg.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.once(op, url, &payload).await {
                Ok(t) => return Ok(t),
                Err(e) => {
                    let retry = if idempotent {
                        e.is_retryable()
                    } else {
                        e.never_arrived()
                    };
                    if !retry || attempt >= max {
                        return Err(e);
                    }
                    let wait = self.backoff(attempt);
                    tracing::warn!(
                        operation = %op,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "Bmby call failed, retrying: {e}"
                    );
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    fn params<'a>(&'a self, uniq_id: &'a str, limit: u32) -> GetAllParams<'a> {
        GetAllParams {
            login: &self.cfg.login,
            password: self.cfg.password.expose(),
            project_id: &self.cfg.project_id,
            uniq_id,
            dynamic: true,
            limit,
            from_date: None,
            to_date: None,
        }
    }

    /// All clients of the project via clients `GetAll` (`Dynamic=1`, so custom fields come in
    /// `custom`), following the cursor: `UniqID` = previous `LastUniqID` until a page has no
    /// rows. `from_date` = `FromDate` (last-modified on or after that day) for incremental pulls.
    ///
    /// Errors: [`BmbySoapError::Bmby`] (the `Error` member, e.g. bad credentials),
    /// [`BmbySoapError::Fault`], [`BmbySoapError::Http`] / [`BmbySoapError::Transport`] after
    /// `max_attempts`, [`BmbySoapError::Parse`], and [`BmbySoapError::CursorStuck`] when rows
    /// keep coming but `LastUniqID` does not advance.
    pub async fn get_all_clients(
        &self,
        from_date: Option<jiff::civil::Date>,
    ) -> Result<ClientsRead, BmbySoapError> {
        self.read_all(Operation::GetAll, from_date).await
    }

    /// Like [`Self::get_all_clients`] but with `GetAllJson` (`<GetAllJsonReturn>` holds a JSON
    /// string whose `Data` is the same XML document). Pages are larger (about 3000 rows);
    /// custom fields may lag behind `GetAll` for fresh leads on the real Bmby.
    pub async fn get_all_clients_json(
        &self,
        from_date: Option<jiff::civil::Date>,
    ) -> Result<ClientsRead, BmbySoapError> {
        self.read_all(Operation::GetAllJson, from_date).await
    }

    /// The first page of clients `GetAll` (`UniqID` 0, at most `limit` rows): ONE call, used
    /// by the setup screen to check the login and to show a sample in the mapping preview.
    ///
    /// Errors: as [`Self::get_all_clients`] (a wrong login is [`BmbySoapError::Bmby`]).
    pub async fn first_clients(&self, limit: u32) -> Result<Vec<BmbyClient>, BmbySoapError> {
        let op = Operation::GetAll;
        let p = self.params("0", limit);
        let xml = envelope::get_all(op.as_str(), &p);
        let action = format!("{NS_CLIENTS}{op}");
        let body = self
            .exchange(op, &self.clients_url, Payload::Soap { action, xml }, true)
            .await?;
        let page: Page = parse::get_all_page(&body, self.cfg.password.expose())?;
        Ok(page.rows)
    }

    async fn read_all(
        &self,
        op: Operation,
        from_date: Option<jiff::civil::Date>,
    ) -> Result<ClientsRead, BmbySoapError> {
        let limit = self.cfg.page_limit.unwrap_or(match op {
            Operation::GetAllJson => 3000,
            _ => 1000,
        });
        let pw = self.cfg.password.expose();
        let mut out = ClientsRead::default();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut uniq = String::from("0");
        loop {
            if out.pages >= MAX_PAGES {
                return Err(BmbySoapError::CursorStuck {
                    operation: op,
                    uniq_id: uniq,
                });
            }
            let mut p = self.params(&uniq, limit);
            p.from_date = from_date;
            let xml = envelope::get_all(op.as_str(), &p);
            let action = format!("{NS_CLIENTS}{op}");
            let body = self
                .exchange(op, &self.clients_url, Payload::Soap { action, xml }, true)
                .await?;
            let page: Page = match op {
                Operation::GetAllJson => parse::get_all_json_page(&body, pw)?,
                _ => parse::get_all_page(&body, pw)?,
            };
            out.pages += 1;
            out.uniq_ids_sent.push(uniq.clone());
            if out.pages == 1 {
                out.found_rows_first_page = page.found_rows;
            }
            tracing::debug!(operation = %op, uniq_id = %uniq, rows = page.rows.len(), "Bmby page");
            if page.rows.is_empty() {
                break;
            }
            for row in page.rows {
                match index.get(&row.client_id) {
                    Some(&i) => out.clients[i] = row,
                    None => {
                        index.insert(row.client_id.clone(), out.clients.len());
                        out.clients.push(row);
                    }
                }
            }
            let next = page.last_uniq_id.ok_or_else(|| BmbySoapError::Parse {
                operation: op,
                message: "a page with rows has no LastUniqID".into(),
            })?;
            if !advances(&uniq, &next) {
                return Err(BmbySoapError::CursorStuck {
                    operation: op,
                    uniq_id: uniq,
                });
            }
            uniq = next;
        }
        Ok(out)
    }

    /// Clients `Insert`: create, or update when `json_client` has `client_id` (send `update`
    /// `{"value":1}` too). `json_client` is the object Bmby expects, each field wrapped as
    /// `{"field": {"value": …}}`; it is serialized and XML-escaped into `jsonClient`.
    /// Returns the `ClientID` from `<InsertReturn>`.
    ///
    /// Errors: [`BmbySoapError::Bmby`] with Bmby's text (e.g. `ClientID in another Project`),
    /// plus the transport/parse errors of every call. Creates are retried only when the request
    /// cannot have arrived (connect failure, 503); updates like reads.
    pub async fn insert_client(
        &self,
        json_client: serde_json::Value,
    ) -> Result<String, BmbySoapError> {
        let op = Operation::Insert;
        let is_update = json_client
            .get("client_id")
            .map(|v| !v.is_null())
            .unwrap_or(false);
        let json = serde_json::to_string(&json_client).map_err(|e| BmbySoapError::Parse {
            operation: op,
            message: format!("jsonClient: {e}"),
        })?;
        let xml = envelope::insert(&self.params("0", 0), &json);
        let action = format!("{NS_CLIENTS}Insert");
        let body = self
            .exchange(
                op,
                &self.clients_url,
                Payload::Soap { action, xml },
                is_update,
            )
            .await?;
        parse::insert_return(&body, self.cfg.password.expose())
    }

    /// `tasks.php` `NewTask`: a task (`Type` `Task`) or note (`Comment`) on client
    /// `input.client_id` (`UniqID`). Dates go as `YYYY-MM-DD HH:mm` Israel local time.
    ///
    /// Errors: [`BmbySoapError::Bmby`] (e.g. the client does not exist), plus the usual
    /// transport/parse errors. Retried only when the request cannot have arrived.
    pub async fn new_task(&self, input: &NewTaskInput) -> Result<(), BmbySoapError> {
        let op = Operation::NewTask;
        let url = Url::parse(&self.tasks_url())
            .map_err(|e| BmbySoapError::Config(format!("tasks URL: {e}")))?;
        let xml = envelope::new_task(
            &self.cfg.login,
            self.cfg.password.expose(),
            &self.cfg.project_id,
            input,
        );
        let action = format!("{NS_TASKS}#NewTask");
        let body = self
            .exchange(op, &url, Payload::Soap { action, xml }, false)
            .await?;
        parse::new_task_return(&body, self.cfg.password.expose())
    }

    /// Lead injection: `POST /shared/AddClient/index.php` form with `ProjectID`, the lead
    /// `Password` (`lead_password` of the config), `Fname`, `Lname`, `Phone`, `Email`,
    /// `MediaTitle`, `Comments` and `extra`. Returns Bmby's answer (trimmed, opaque — the real
    /// body is undocumented; do not rely on it being an id).
    ///
    /// Errors: [`BmbySoapError::AddClientRejected`] when the answer is `0`,
    /// [`BmbySoapError::Config`] without a lead password, transport/HTTP errors.
    pub async fn add_client(&self, lead: &AddClientInput) -> Result<String, BmbySoapError> {
        let op = Operation::AddClient;
        let lead_pw = self.cfg.lead_password.as_ref().ok_or_else(|| {
            BmbySoapError::Config("AddClient needs the project's lead password".into())
        })?;
        let url = Url::parse(&self.add_client_url())
            .map_err(|e| BmbySoapError::Config(format!("AddClient URL: {e}")))?;
        let mut form = vec![
            ("ProjectID".to_owned(), self.cfg.project_id.clone()),
            ("Password".to_owned(), lead_pw.expose().to_owned()),
        ];
        for (k, v) in [
            ("Fname", &lead.fname),
            ("Lname", &lead.lname),
            ("Phone", &lead.phone),
            ("Email", &lead.email),
            ("MediaTitle", &lead.media_title),
            ("Comments", &lead.comments),
        ] {
            if !v.is_empty() {
                form.push((k.to_owned(), v.clone()));
            }
        }
        form.extend(lead.extra.iter().cloned());
        let body = self.exchange(op, &url, Payload::Form(form), false).await?;
        let t = body.trim();
        if t == "0" {
            return Err(BmbySoapError::AddClientRejected {
                url: display_url(&url),
            });
        }
        let mut ack = scrub(t, lead_pw.expose());
        ack = scrub(&ack, self.cfg.password.expose());
        Ok(ack)
    }
}

/// True when cursor `next` is past `prev` (numerically when both are numbers).
fn advances(prev: &str, next: &str) -> bool {
    match (prev.trim().parse::<u128>(), next.trim().parse::<u128>()) {
        (Ok(a), Ok(b)) => b > a,
        _ => next.trim() != prev.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_advance() {
        assert!(advances("0", "15"));
        assert!(!advances("15", "15"));
        assert!(!advances("15", "9"));
        assert!(advances("a", "b"));
    }

    #[test]
    fn urls() {
        let mut cfg = BmbySoapConfig::new(
            "https://www.bmby.com/WebServices/srv/v3",
            "u",
            crate::ghl::Secret::new("p"),
            "1",
        );
        cfg.url = "https://www.bmby.com/WebServices/srv/v3".into();
        let c = BmbySoapClient::new(cfg).unwrap();
        assert_eq!(c.clients_url(), "https://www.bmby.com/WebServices/srv/v3/");
        assert_eq!(
            c.tasks_url(),
            "https://www.bmby.com/WebServices/srv/v3/tasks.php"
        );
        assert_eq!(
            c.add_client_url(),
            "https://www.bmby.com/shared/AddClient/index.php"
        );
    }
}
