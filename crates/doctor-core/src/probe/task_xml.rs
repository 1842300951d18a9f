//! Reading a task's enabled state from its Task Scheduler definition file
//! (`%SystemRoot%\System32\Tasks\<name>`, XML in UTF-16 or UTF-8). Only the task-level
//! `<Settings><Enabled>` counts: triggers carry their own `<Enabled>`, which disables one
//! trigger, not the task. Pure text handling, so it is tested on every OS.

use super::TaskState;

/// Decodes the file's bytes: UTF-16 LE/BE with a byte-order mark, or UTF-8.
pub fn decode(bytes: &[u8]) -> String {
    let utf16 = |le: bool, body: &[u8]| -> String {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        // UTF-16 LE without a mark: every other byte of the ASCII "<?xml" is zero.
        [b'<', 0, ..] => utf16(true, bytes),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The task's state from its XML: disabled only when `<Settings>` holds
/// `<Enabled>false</Enabled>`; the schema's default is enabled.
pub fn state(xml: &str) -> TaskState {
    let settings = xml
        .find("<Settings>")
        .and_then(|start| {
            let rest = &xml[start..];
            rest.find("</Settings>").map(|end| &rest[..end])
        })
        .unwrap_or("");
    // `<Settings>` nests `<IdleSettings>` etc., whose children are not called Enabled, so
    // the first `<Enabled>` directly in this block is the task's.
    match settings.find("<Enabled>") {
        Some(at) => {
            let value = &settings[at + "<Enabled>".len()..];
            if value.trim_start().to_ascii_lowercase().starts_with("false") {
                TaskState::Disabled
            } else {
                TaskState::Enabled
            }
        }
        None => TaskState::Enabled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DISABLED: &str = r#"<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <Triggers><BootTrigger><Enabled>true</Enabled></BootTrigger></Triggers>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <Enabled>false</Enabled>
  </Settings>
</Task>"#;

    #[test]
    fn task_level_enabled_false_means_disabled() {
        assert_eq!(state(DISABLED), TaskState::Disabled);
    }

    #[test]
    fn a_disabled_trigger_does_not_disable_the_task() {
        let xml = r#"<Task><Triggers><LogonTrigger><Enabled>false</Enabled></LogonTrigger></Triggers>
<Settings><StartWhenAvailable>true</StartWhenAvailable></Settings></Task>"#;
        assert_eq!(state(xml), TaskState::Enabled);
    }

    #[test]
    fn utf16_files_with_and_without_a_mark_are_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in DISABLED.encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(state(&decode(&bytes)), TaskState::Disabled);
        assert_eq!(state(&decode(&bytes[2..])), TaskState::Disabled);
        assert_eq!(state(&decode(DISABLED.as_bytes())), TaskState::Disabled);
    }
}
