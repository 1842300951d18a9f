//! Pieces the real probes share: the process list (sysinfo), certificate thumbprints,
//! environment proxies with masked credentials, and free space per volume.

use super::{ProbeError, ProcessInfo};
use sha1::{Digest, Sha1};
use std::path::Path;

/// Every process on the machine (threads excluded), with name, PID, executable and start time.
#[cfg_attr(not(any(unix, windows)), allow(dead_code))]
pub(crate) fn list_processes() -> Result<Vec<ProcessInfo>, ProbeError> {
    use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
    let mut sys = System::new().map_err(|e| ProbeError::Query {
        what: "the process list".into(),
        detail: e.to_string(),
    })?;
    sys.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing().with_exe(UpdateKind::OnlyIfNotSet),
    );
    let mut out: Vec<ProcessInfo> = sys
        .processes()
        .values()
        .filter(|p| p.thread_kind().is_none())
        .map(|p| ProcessInfo {
            name: p.name().to_string_lossy().into_owned(),
            pid: p.pid().as_u32(),
            exe: p.exe().map(|e| e.to_string_lossy().into_owned()),
            started_at: i64::try_from(p.start_time()).ok().filter(|t| *t > 0),
        })
        .collect();
    out.sort_by_key(|p| p.pid);
    Ok(out)
}

/// Number of CPU cores and total memory, when the OS tells.
pub(crate) fn cores_and_memory() -> (Option<u32>, Option<u64>) {
    use sysinfo::System;
    let cores = System::physical_core_count()
        .ok()
        .and_then(|n| u32::try_from(n).ok());
    let memory = System::new().ok().map(|mut s| {
        s.refresh_memory();
        s.total_memory()
    });
    (cores, memory.filter(|m| *m > 0))
}

pub(crate) fn hostname() -> String {
    sysinfo::System::host_name().unwrap_or_else(|_| "unknown".to_owned())
}

/// SHA-1 thumbprint of a DER certificate, upper-case hex as Windows shows it.
pub(crate) fn thumbprint(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// Proxy variables from the environment, credentials masked.
pub(crate) fn environment_proxies() -> Vec<(String, String)> {
    let names = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ];
    names
        .iter()
        .filter_map(|n| {
            std::env::var(n)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| ((*n).to_owned(), mask_credentials(&v)))
        })
        .collect()
}

/// Masks the credentials in a proxy address, a proxy list (`http=a:80;https=b:8080`) or a
/// PAC address, so settings can be shown and saved; the one function every output uses.
/// Fails closed: everything before the last `@` of an entry is user-info (an unencoded
/// `@`, `/`, `;` or space in the password goes with it), and every query value is masked.
pub fn mask_credentials(text: &str) -> String {
    // A `;` separates entries only where a `scheme=` entry follows; elsewhere it may be
    // part of a password.
    let mut entries: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(';') {
        let next = text[i + 1..].trim_start();
        let scheme = next
            .split_once('=')
            .is_some_and(|(s, _)| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic()));
        if scheme {
            entries.push(&text[start..i]);
            start = i + 1;
        }
    }
    entries.push(&text[start..]);
    entries
        .iter()
        .map(|e| mask_entry(e))
        .collect::<Vec<_>>()
        .join(";")
}

fn mask_entry(entry: &str) -> String {
    // `https=` of a WinINET list, then `scheme://`.
    let mut head_len = 0;
    if let Some(eq) = entry.find('=') {
        let name = entry[..eq].trim_start();
        let before_scheme = entry.find("://").is_none_or(|p| eq < p);
        if before_scheme && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) {
            head_len = eq + 1;
        }
    }
    if let Some(i) = entry[head_len..].find("://") {
        head_len += i + 3;
    }
    let (head, rest) = entry.split_at(head_len);
    let rest = match rest.rfind('@') {
        Some(at) => format!("***{}", &rest[at..]),
        None => rest.to_owned(),
    };
    let rest = match rest.split_once('?') {
        Some((path, query)) => {
            let masked: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) if !v.is_empty() => format!("{k}=***"),
                    _ => kv.to_owned(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
        None => rest,
    };
    format!("{head}{rest}")
}

/// Parses the `WinHttpSettings` binary value (what `netsh winhttp show proxy` reads):
/// version, counter, flags (bit 2 = proxy set), then length-prefixed proxy and bypass.
pub fn parse_winhttp_settings(bytes: &[u8]) -> Option<(String, Option<String>)> {
    let u32_at = |i: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?))
    };
    let flags = u32_at(8)?;
    if flags & 0x2 == 0 {
        return None;
    }
    let len = usize::try_from(u32_at(12)?).ok()?;
    let proxy = String::from_utf8_lossy(bytes.get(16..16 + len)?).into_owned();
    let blen = usize::try_from(u32_at(16 + len)?).ok()?;
    let bypass = bytes
        .get(20 + len..20 + len + blen)
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .filter(|b| !b.is_empty());
    (!proxy.is_empty()).then_some((proxy, bypass))
}

/// Free space on the volume whose mount point is the longest prefix of `path`.
pub(crate) fn free_space_at(path: &Path) -> Result<u64, ProbeError> {
    let disks = sysinfo::Disks::new_with_refreshed_list().map_err(|e| ProbeError::Query {
        what: "the list of volumes".into(),
        detail: e.to_string(),
    })?;
    disks
        .iter()
        .filter(|d| path.starts_with(d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())
        .map(|d| d.available_space())
        .ok_or_else(|| ProbeError::Query {
            what: format!("free space on {}", path.display()),
            detail: "no mounted volume holds this folder".into(),
        })
}

/// Lists a real folder.
pub(crate) fn list_dir_at(path: &Path) -> Result<Vec<super::DirEntry>, ProbeError> {
    let io = |source| ProbeError::Io {
        what: "a folder",
        path: path.to_owned(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let Ok(meta) = entry.metadata() else { continue };
        out.push(super::DirEntry {
            name: entry.file_name().to_string_lossy().into_owned(),
            is_dir: meta.is_dir(),
            size: meta.len(),
            modified: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .and_then(|d| i64::try_from(d.as_secs()).ok()),
        });
    }
    Ok(out)
}

/// Reads the end of a real file without locking it against the writer.
pub(crate) fn read_tail_at(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ProbeError> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |source| ProbeError::Io {
        what: "a file",
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE: the agent keeps writing.
        options.share_mode(0x1 | 0x2 | 0x4);
    }
    let mut file = options.open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > max_bytes {
        file.seek(SeekFrom::Start(len - max_bytes)).map_err(io)?;
    }
    let mut buf = Vec::with_capacity(usize::try_from(len.min(max_bytes)).unwrap_or(0));
    file.take(max_bytes).read_to_end(&mut buf).map_err(io)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_credentials_are_masked() {
        assert_eq!(
            mask_credentials("http://alice:s3cret@proxy.corp:8080/"),
            "http://***@proxy.corp:8080/"
        );
        assert_eq!(
            mask_credentials("proxy.corp:8080"),
            "proxy.corp:8080".to_owned()
        );
        // An `@` after a `/` may be inside the password: masked, failing closed.
        assert_eq!(
            mask_credentials("http://proxy.corp:8080/a@b"),
            "http://***@b"
        );
    }

    #[test]
    fn every_proxy_spelling_loses_its_credentials() {
        for (raw, masked) in [
            (
                "http://alice:pa/ss@proxy.corp:8080",
                "http://***@proxy.corp:8080",
            ),
            (
                "http://alice:p@ss@proxy.corp:8080/",
                "http://***@proxy.corp:8080/",
            ),
            ("alice:p/@ss;w0rd@proxy.corp:3128", "***@proxy.corp:3128"),
            ("http://alice:pa ss@proxy", "http://***@proxy"),
            (
                "http=alice:x/y@a:80;https=bob:z@w@b:8080",
                "http=***@a:80;https=***@b:8080",
            ),
            (
                "http://u:PacPw@pac.corp/proxy.pac?token=T0k&v=2",
                "http://***@pac.corp/proxy.pac?token=***&v=***",
            ),
            ("proxy.corp:8080", "proxy.corp:8080"),
            ("<local>;*.corp", "<local>;*.corp"),
        ] {
            assert_eq!(mask_credentials(raw), masked, "{raw}");
            assert_eq!(
                mask_credentials(masked),
                masked,
                "masking twice changes nothing"
            );
        }
    }

    #[test]
    fn thumbprint_is_uppercase_sha1() {
        assert_eq!(
            thumbprint(b"abc"),
            "A9993E364706816ABA3E25717850C26C9CD0D89D"
        );
    }

    #[test]
    fn this_process_is_in_the_process_list() {
        let me = std::process::id();
        let list = list_processes().unwrap();
        assert!(list.iter().any(|p| p.pid == me));
    }

    #[test]
    fn winhttp_settings_blob_is_parsed() {
        let mut blob = vec![0x28, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0];
        let proxy = b"proxy.corp:8080";
        blob.extend((proxy.len() as u32).to_le_bytes());
        blob.extend(proxy);
        let bypass = b"<local>";
        blob.extend((bypass.len() as u32).to_le_bytes());
        blob.extend(bypass);
        assert_eq!(
            parse_winhttp_settings(&blob),
            Some(("proxy.corp:8080".into(), Some("<local>".into())))
        );
        blob[8] = 1; // direct access
        assert_eq!(parse_winhttp_settings(&blob), None);
    }
}
