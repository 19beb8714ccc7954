//! `declform`: 财政项目支出绩效目标申报表 (fiscal project expenditure performance-target
//! declaration forms) read from and written to workbooks, JSON and flat tables, exactly.
//!
//! The [`model`] is format-neutral; [`reader`] and [`writer`] are adapters around it, and
//! both work from the one description of the official layouts in `templates/` ([`layout`]).
//!
//! ```
//! use declform::{json, writer};
//! let doc = json::from_str(include_str!("../samples/seed-forms-2024.json"), "seed.json").unwrap();
//! assert_eq!(doc.forms.len(), 10);
//! let mut wb = writer::workbook_of(&doc.forms, &writer::WriteOptions::default()).unwrap();
//! assert!(wb.save_to_buffer().is_ok());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod amount;
pub mod check;
pub mod cmd;
pub mod date;
pub mod error;
pub mod flat;
pub mod json;
pub mod layout;
pub mod merge;
pub mod model;
pub mod output;
pub mod reader;
pub mod samples;
pub mod sheetname;
pub mod target;
pub mod writer;

pub use amount::Amount;
pub use error::{Error, ErrorKind, Location, Result};
pub use model::{Document, Form, Funds, Indicator, Source};
