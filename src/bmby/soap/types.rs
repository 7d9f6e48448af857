//! Inputs and outputs of the Bmby SOAP client's operations.

use crate::bmby::BmbyClient;

/// Result of a full cursor-paged read (`GetAll` / `GetAllJson` on the clients service).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientsRead {
    /// Every client returned, once each (a client repeated on a later page replaces the earlier
    /// copy in place), in the order first seen.
    pub clients: Vec<BmbyClient>,
    /// Pages fetched, including the final empty page.
    pub pages: usize,
    /// The `UniqID` values sent, in order (`"0"` first); the last one is the final cursor.
    pub uniq_ids_sent: Vec<String>,
    /// `FoundRows` of the first page, as Bmby reported it (informational; paging never relies on it).
    pub found_rows_first_page: Option<u64>,
}

/// `Type` of a `NewTask`: a GHL task maps to `Task`, a GHL note to `Comment`
/// (bmby.md §3.4; `Comment` is a GUESS to verify with Bmby).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskType {
    /// `Task`.
    Task,
    /// `Comment`.
    Comment,
}

impl TaskType {
    /// The `Type` string sent to Bmby.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Task => "Task",
            TaskType::Comment => "Comment",
        }
    }
}

/// Members of `NewTaskInput` (`tasks.php` `NewTask`) besides the credentials.
/// Empty strings are sent as empty elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTaskInput {
    /// `UserID`: the Bmby user (agent) the task belongs to.
    pub user_id: String,
    /// `MediaID`.
    pub media_id: String,
    /// `UniqID`: the **client id** the task is attached to (must exist in the project).
    pub client_id: String,
    /// `Type`.
    pub task_type: TaskType,
    /// `Designation` (`2` = "to customer" per one caller).
    pub designation: String,
    /// `Name` (client's name as shown on the task).
    pub name: String,
    /// `Phone`.
    pub phone: String,
    /// `EMail`.
    pub email: String,
    /// `Location`.
    pub location: String,
    /// `StartDate`, Israel local time, sent as `YYYY-MM-DD HH:mm`.
    pub start: jiff::civil::DateTime,
    /// `EndDate`, Israel local time, sent as `YYYY-MM-DD HH:mm`.
    pub end: jiff::civil::DateTime,
    /// `Subject`.
    pub subject: String,
    /// `Message`.
    pub message: String,
    /// `Priority` (e.g. `medium`).
    pub priority: String,
}

/// Form fields of a lead sent to `POST /shared/AddClient/index.php` (besides `ProjectID` and
/// the lead `Password`, which come from the config). Empty fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddClientInput {
    /// `Fname` (may hold the full name).
    pub fname: String,
    /// `Lname`.
    pub lname: String,
    /// `Phone`.
    pub phone: String,
    /// `Email`.
    pub email: String,
    /// `MediaTitle` (lead source).
    pub media_title: String,
    /// `Comments`.
    pub comments: String,
    /// Any further form fields (`AllowedMail`, `Referal`, `uNN`, …), sent verbatim.
    pub extra: Vec<(String, String)>,
}
