//! The Vision One API key as a type that cannot be printed, logged or serialised by
//! accident: `Debug`, `Display` and `Serialize` all give a mask. Only the HTTP client reads
//! the key itself, through [`Secret::expose`], to build the `Authorization` header.

use serde::{Serialize, Serializer};
use std::fmt;

/// What every printed form of a [`Secret`] shows.
pub const MASK: &str = "********";

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The key as pasted or read from a file: surrounding white space and a trailing
    /// newline are not part of it. `None` when nothing is left.
    pub fn new(text: &str) -> Option<Secret> {
        let t = text.trim().trim_start_matches('\u{feff}').trim();
        (!t.is_empty()).then(|| Secret(t.to_owned()))
    }

    /// The key itself, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(MASK)
    }
}

impl Drop for Secret {
    // Best effort: the bytes are overwritten before the allocation is freed. Copies made
    // by the HTTP stack (the header value) are outside our reach.
    fn drop(&mut self) {
        let taken = std::mem::take(&mut self.0);
        let mut bytes = taken.into_bytes();
        for b in bytes.iter_mut() {
            // A volatile-free overwrite can be optimised away; black_box keeps it.
            *b = std::hint::black_box(0);
        }
        drop(std::hint::black_box(bytes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printed_form_is_the_mask() {
        let s = Secret::new("  eyJhbGciOi.secret-key\n").expect("a key");
        assert_eq!(s.expose(), "eyJhbGciOi.secret-key");
        assert_eq!(format!("{s}"), MASK);
        assert_eq!(format!("{s:?}"), MASK);
        assert_eq!(format!("{:?}", Some(&s)), format!("Some({MASK})"));
        assert_eq!(
            serde_json::to_string(&s).expect("json"),
            format!("\"{MASK}\"")
        );
    }

    #[test]
    fn blank_input_is_no_key() {
        assert!(Secret::new(" \n").is_none());
        assert!(Secret::new("\u{feff}\n").is_none());
    }
}
