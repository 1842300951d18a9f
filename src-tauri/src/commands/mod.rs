//! The window's commands, one module per job. Each parses its input, calls the engine off
//! the main thread when the work can block, and maps errors to [`crate::error::Error`].

pub mod bundle;
pub mod checks;
pub mod draft;
pub mod fleet;
pub mod inventory;
pub mod note;
pub mod screenshots;
