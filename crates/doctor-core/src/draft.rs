//! The app's draft: everything the user typed, chose or captured, kept on disk in one
//! folder so closing the window loses nothing. The draft is a JSON document the UI owns;
//! this module only keeps it safe: written atomically (temporary file, then rename, so a
//! crash leaves the last complete draft), read back tolerantly, removed on "start over".

use std::path::{Path, PathBuf};

const FILE: &str = "draft.json";

/// The draft folder's screenshots live here, inside the draft folder.
pub fn screenshot_dir(draft_dir: &Path) -> PathBuf {
    draft_dir.join("screenshots")
}

/// The saved draft, if any. A damaged file reads as no draft rather than an error: the
/// user starts afresh instead of being stuck.
pub fn load(draft_dir: &Path) -> std::io::Result<Option<serde_json::Value>> {
    match std::fs::read_to_string(draft_dir.join(FILE)) {
        Ok(text) => Ok(serde_json::from_str(&text).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates the draft folder readable by this user alone (0700 on Unix; on Windows it lives
/// in the user's own application-data folder, whose inherited ACL admits only the user,
/// SYSTEM and administrators).
pub fn create_private(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Saves the draft atomically.
pub fn save(draft_dir: &Path, draft: &serde_json::Value) -> std::io::Result<()> {
    create_private(draft_dir)?;
    let temp = draft_dir.join(format!("{FILE}.{}.tmp", std::process::id()));
    let text = serde_json::to_vec_pretty(draft).map_err(std::io::Error::other)?;
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, draft_dir.join(FILE))?;
    prune_screenshots(draft_dir, draft, PRUNE_AFTER);
    Ok(())
}

/// A screenshot file the draft no longer names is removed once it is this old: younger
/// ones may have just been stored for a change whose draft is not saved yet.
const PRUNE_AFTER: std::time::Duration = std::time::Duration::from_secs(60);

/// Removes the draft folder's screenshots that the draft no longer names: the original of
/// an image whose parts were blacked out, one replaced or removed. What the user hid must
/// not stay on the disk beside the hidden version. Best effort: a file that cannot be
/// removed now is tried again at the next save.
fn prune_screenshots(draft_dir: &Path, draft: &serde_json::Value, min_age: std::time::Duration) {
    let named: std::collections::HashSet<PathBuf> = draft
        .get("screenshots")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("path").and_then(|p| p.as_str()))
        .map(PathBuf::from)
        .collect();
    let Ok(entries) = std::fs::read_dir(screenshot_dir(draft_dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= min_age);
        if old_enough && entry.file_type().is_ok_and(|t| t.is_file()) && !named.contains(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Removes the draft and its screenshots.
pub fn clear(draft_dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_dir_all(draft_dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshots_the_draft_no_longer_names_are_removed_once_old_enough() {
        let dir = tempfile::tempdir().unwrap();
        let shots = screenshot_dir(dir.path());
        std::fs::create_dir_all(&shots).unwrap();
        let (original, redacted) = (shots.join("1-original.png"), shots.join("2-redacted.png"));
        std::fs::write(&original, b"secret pixels").unwrap();
        std::fs::write(&redacted, b"blacked out").unwrap();
        let draft = serde_json::json!({
            "screenshots": [{ "path": redacted.to_string_lossy(), "slot": "other", "caption": "" }]
        });
        // Just stored (younger than the limit): kept, its draft may not be saved yet.
        save(dir.path(), &draft).unwrap();
        assert!(original.exists());
        prune_screenshots(dir.path(), &draft, std::time::Duration::ZERO);
        assert!(!original.exists(), "the unredacted original stayed on disk");
        assert!(
            redacted.exists(),
            "the screenshot the draft names was removed"
        );
    }

    #[test]
    fn saves_loads_and_clears() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("draft");
        assert_eq!(load(&dir).unwrap(), None);
        let d = serde_json::json!({"answers": {"business_id": "x"}});
        save(&dir, &d).unwrap();
        assert_eq!(load(&dir).unwrap(), Some(d));
        std::fs::write(dir.join(FILE), "{broken").unwrap();
        assert_eq!(load(&dir).unwrap(), None);
        clear(&dir).unwrap();
        assert!(!dir.exists());
        clear(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_draft_folder_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("draft");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        save(&dir, &serde_json::json!({})).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
