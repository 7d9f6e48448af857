//! Typed errors of the Bmby SOAP client. They keep Bmby's own words and name the operation and
//! the URL, and never contain the password (it is not in the URL, and any server text that
//! happens to echo it is redacted before it is stored here).

use std::fmt;

/// The Bmby operation a call made, for messages and for matching errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Clients service `GetAll` (XML `Data`).
    GetAll,
    /// Clients service `GetAllJson` (JSON string holding XML `Data`).
    GetAllJson,
    /// Clients service `Insert` (create or update with `jsonClient`).
    Insert,
    /// `tasks.php` `NewTask`.
    NewTask,
    /// Lead injection `POST /shared/AddClient/index.php`.
    AddClient,
}

impl Operation {
    /// The operation's name as Bmby spells it (`GetAll`, `GetAllJson`, `Insert`, `NewTask`,
    /// `AddClient`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::GetAll => "GetAll",
            Operation::GetAllJson => "GetAllJson",
            Operation::Insert => "Insert",
            Operation::NewTask => "NewTask",
            Operation::AddClient => "AddClient",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from a Bmby SOAP (or AddClient) call.
#[derive(Debug, thiserror::Error)]
pub enum BmbySoapError {
    /// Bmby answered normally but put a message in the `Error` member (or `{"Error": …}` of a
    /// JSON return), e.g. bad credentials or `ClientID in another Project`. `message` is Bmby's
    /// text, sanitized. Not retried.
    #[error("Bmby {operation}: {message}")]
    Bmby {
        operation: Operation,
        message: String,
    },
    /// A SOAP 1.1 `Fault` (`faultcode` / `faultstring`), whatever the HTTP status. Not retried.
    #[error("Bmby {operation}: SOAP fault {code}: {message}")]
    Fault {
        operation: Operation,
        code: String,
        message: String,
    },
    /// An HTTP error status without a SOAP body (a proxy's HTML 502, say). 5xx are retried
    /// before this is returned. `snippet` is the start of the body, sanitized.
    #[error("Bmby {operation} at {url}: HTTP {status}: {snippet}")]
    Http {
        operation: Operation,
        url: String,
        status: u16,
        snippet: String,
    },
    /// No complete answer: connection refused or dropped, timeout, TLS. Retried (reads always,
    /// writes only when the request cannot have reached Bmby) before this is returned.
    #[error("Bmby {operation} at {url}: {message}")]
    Transport {
        operation: Operation,
        url: String,
        message: String,
        /// The connection was never made (refused, no route, name not resolved): the request
        /// certainly did not reach Bmby.
        connect: bool,
    },
    /// A 2xx answer that is not the expected shape (malformed XML, missing return element,
    /// `Data` that is not XML, JSON that does not parse). `message` says what was wrong.
    #[error("Bmby {operation}: unexpected response: {message}")]
    Parse {
        operation: Operation,
        message: String,
    },
    /// Cursor paging stopped moving: a page came back with rows but `LastUniqID` did not advance
    /// past `uniq_id` (the `UniqID` sent). Stopping beats looping forever.
    #[error("Bmby {operation}: cursor stuck: rows keep coming but LastUniqID stays at {uniq_id}")]
    CursorStuck {
        operation: Operation,
        uniq_id: String,
    },
    /// AddClient answered `0` (wrong ProjectID/lead Password, or no phone and no email).
    #[error("Bmby AddClient at {url}: lead rejected (answer 0: wrong ProjectID or lead password, or no phone and email)")]
    AddClientRejected { url: String },
    /// The configuration cannot work (bad URL, AddClient without a lead password).
    #[error("Bmby configuration: {0}")]
    Config(String),
}

impl BmbySoapError {
    /// The operation the error belongs to, if any.
    pub fn operation(&self) -> Option<Operation> {
        match self {
            BmbySoapError::Bmby { operation, .. }
            | BmbySoapError::Fault { operation, .. }
            | BmbySoapError::Http { operation, .. }
            | BmbySoapError::Transport { operation, .. }
            | BmbySoapError::Parse { operation, .. }
            | BmbySoapError::CursorStuck { operation, .. } => Some(*operation),
            BmbySoapError::AddClientRejected { .. } => Some(Operation::AddClient),
            BmbySoapError::Config(_) => None,
        }
    }

    /// True for errors worth retrying: HTTP 5xx without a SOAP body and transport failures.
    /// True when the request certainly did not reach Bmby: the connection was never made
    /// (refused, no route, the name did not resolve), or Bmby answered 503 before doing any
    /// work. A write that failed so can be sent again without a duplicate.
    pub fn never_arrived(&self) -> bool {
        matches!(
            self,
            BmbySoapError::Transport { connect: true, .. }
                | BmbySoapError::Http { status: 503, .. }
        )
    }

    pub fn is_retryable(&self) -> bool {
        match self {
            BmbySoapError::Http { status, .. } => *status >= 500,
            BmbySoapError::Transport { .. } => true,
            _ => false,
        }
    }
}
