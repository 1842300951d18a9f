//! Names inside and of the bundle: ASCII-safe entry names with `/` separators (the
//! original names go to the manifest), the zip's own name, and a destination path that
//! never replaces an existing file.

use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

/// One path component made safe for every unzip tool: ASCII letters, digits, `.`, `-`,
/// `_`; anything else becomes `_`, and a short hash of the original keeps names unique.
pub fn safe_component(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    while out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out.is_empty() {
        out.push('_');
    }
    if out != name {
        let hash = Sha256::digest(name.as_bytes());
        let tag: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
        out = match out.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && ext.len() <= 8 => {
                format!("{stem}-{tag}.{ext}")
            }
            _ => format!("{out}-{tag}"),
        };
    }
    out
}

/// `relative` (inside a collected folder) as an entry name under `prefix`.
pub fn entry_name(prefix: &str, relative: &Path) -> String {
    let mut parts = vec![prefix.trim_end_matches('/').to_owned()];
    for c in relative.components() {
        if let Component::Normal(s) = c {
            parts.push(safe_component(&s.to_string_lossy()));
        }
    }
    parts.join("/")
}

/// `basecamp-doctor_<host>_<YYYYMMDD-HHMM>` for the local time `stamp`.
pub fn bundle_stem(host: &str, stamp: &chrono::DateTime<chrono::Local>) -> String {
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("basecamp-doctor_{host}_{}", stamp.format("%Y%m%d-%H%M"))
}

/// `dir/stem.zip`, or `dir/stem_2.zip`, `_3`, ... when that exists.
pub fn free_path(dir: &Path, stem: &str) -> PathBuf {
    let first = dir.join(format!("{stem}.zip"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{stem}_{n}.zip")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_stay_and_others_get_a_tag() {
        assert_eq!(
            safe_component("EndpointBasecamp.log"),
            "EndpointBasecamp.log"
        );
        let ja = safe_component("ログ.txt");
        assert!(ja.starts_with("__-") && ja.ends_with(".txt"), "{ja}");
        assert_ne!(safe_component("ログ.txt"), safe_component("ロク.txt"));
        assert!(!safe_component("..").starts_with('.'));
        assert!(safe_component("a b?.log").is_ascii());
    }

    #[test]
    fn entry_names_use_slashes_and_drop_parent_references() {
        let p = Path::new("sub").join("..").join("x.log");
        assert_eq!(entry_name("logs/basecamp", &p), "logs/basecamp/sub/x.log");
    }

    #[test]
    fn an_existing_name_is_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = free_path(dir.path(), "b");
        std::fs::write(&a, "x").unwrap();
        let b = free_path(dir.path(), "b");
        assert_eq!(b.file_name().unwrap(), "b_2.zip");
    }
}
