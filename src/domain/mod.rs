//! Domain types: what the product works with once wire data has been checked and sanitized.
//! No I/O and no UI here.
pub mod activity;
pub mod change;
pub mod contact;
pub mod custom_field;
pub mod op;
pub mod people;
pub mod recent;
pub mod row_list;
pub mod users;

pub use activity::{Appointment, Note, Task};
pub use change::{
    AmbiguousChoice, Candidate, Change, ChangeKind, ChangeState, CreateMatch, FieldChange,
    JournalEntry, JournalValue, OutboxInfo, Subject, Target, LOCAL_ORIGIN,
};
pub use contact::{Contact, ContactRow, CustomFieldValue, DndChannel};
pub use custom_field::CustomFieldDef;
pub use op::{ContactOp, Named, OpEffect};
pub use recent::{RecentChange, RecentField, RecentSource};
pub use row_list::{
    order_by_name, RowList, RowListBuilder, RowParts, RowRef, RowSet, SearchFields, Tags,
};
pub use users::{UserDirectory, UserName};
