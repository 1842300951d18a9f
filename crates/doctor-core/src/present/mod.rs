//! Presentation: a [`Diagnosis`](crate::Diagnosis) in one language for people and machines
//! — the data every face renders ([`report::Report`]: the CLI's text and JSON, the app) and
//! the note for the network team. The bundle's `report.html` and `inquiry.txt` are rendered
//! in `bundle` from the same data.

pub mod note;
pub mod report;
