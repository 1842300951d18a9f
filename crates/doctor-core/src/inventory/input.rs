//! The lists of endpoints to look for: a text file of names, a CSV with a name column (an
//! Active Directory computer export: `Get-ADComputer | Export-Csv` writes a `#TYPE` line,
//! quotes every field and may start with a byte-order mark), or a folder of collect files.
//!
//! Collect files come from `basecamp-doctor collect` (being written in another branch).
//! Read tolerantly: any `*.json` object with a `hostname` string counts; the agent ID is
//! `identity.xdr_device_id` or a top-level `xdr_device_id`; the local verdict is `verdict`,
//! `summary.verdict` or derived from `summary`'s counts; problems are the ids of `findings[]`
//! that failed or warned. `identity.json` files from `basecamp-doctor identity` fit too.

use super::verdict::{LocalSummary, Wanted};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {detail}")]
    Format { path: PathBuf, detail: String },
}

/// Bytes → text, honouring UTF-8 and UTF-16 byte-order marks (Windows PowerShell's
/// `Out-File` writes UTF-16 LE).
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(rest).into_owned();
    }
    let utf16 = |rest: &[u8], le: bool| {
        let units: Vec<u16> = rest
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
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, false);
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks.
pub fn csv_records(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' {
            quoted = true;
        } else if c == delimiter {
            record.push(std::mem::take(&mut field));
        } else if c == '\n' || c == '\r' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            record.push(std::mem::take(&mut field));
            if !(record.len() == 1 && record[0].is_empty()) {
                records.push(std::mem::take(&mut record));
            }
            record.clear();
        } else {
            field.push(c);
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// Header names that hold a computer name, best first.
const NAME_COLUMNS: [&str; 6] = [
    "name",
    "computername",
    "hostname",
    "endpointname",
    "dnshostname",
    "computer",
];

fn name_column(header: &[String]) -> Option<usize> {
    let norm: Vec<String> = header
        .iter()
        .map(|h| h.trim().to_ascii_lowercase().replace([' ', '_'], ""))
        .collect();
    NAME_COLUMNS
        .iter()
        .find_map(|want| norm.iter().position(|h| h == want))
}

/// Names from a text list (one per line, `#` comments) or a CSV with a name column.
/// Duplicates (ignoring case) are dropped, the first spelling kept.
pub fn parse_names(text: &str) -> Result<Vec<String>, String> {
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with("#TYPE"))
        .collect();
    let first = body.first().copied().unwrap_or("");
    let delimiter = [',', ';', '\t']
        .into_iter()
        .max_by_key(|d| first.matches(*d).count())
        .filter(|d| first.contains(*d));
    let mut names: Vec<String> = Vec::new();
    let mut push = |n: &str| {
        let n = n.trim();
        if !n.is_empty() && !names.iter().any(|m| m.eq_ignore_ascii_case(n)) {
            names.push(n.to_owned());
        }
    };
    let header_fields = delimiter.map(|d| csv_records(first, d));
    let column = header_fields
        .as_ref()
        .and_then(|h| h.first())
        .and_then(|h| name_column(h));
    match (delimiter, column) {
        (Some(d), Some(col)) => {
            let records = csv_records(&body.join("\n"), d);
            for r in records.iter().skip(1) {
                if let Some(v) = r.get(col) {
                    // DNSHostName holds the full name; the console shows the short one
                    // or the full one, and the matching accepts either.
                    push(v);
                }
            }
        }
        (Some(_), None) => {
            return Err(
                "the CSV has no Name column (Name, ComputerName, HostName, DNSHostName)".to_owned(),
            )
        }
        (None, _) => {
            for line in body {
                let l = line.trim().trim_matches('"');
                if !l.starts_with('#') {
                    push(l);
                }
            }
        }
    }
    Ok(names)
}

pub fn read_names(path: &Path) -> Result<Vec<Wanted>, InputError> {
    let bytes = std::fs::read(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })?;
    let names = parse_names(&decode(&bytes)).map_err(|detail| InputError::Format {
        path: path.to_owned(),
        detail,
    })?;
    Ok(names.iter().map(|n| Wanted::named(n)).collect())
}

fn str_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// One collect file → the endpoint it describes, or `None` when it is not one.
pub fn wanted_from_collect(doc: &serde_json::Value, source: &str) -> Option<Wanted> {
    let hostname = str_at(doc, &["hostname"])
        .or_else(|| str_at(doc, &["identity", "hostname"]))
        .or_else(|| str_at(doc, &["os", "hostname"]))?;
    let agent_id = str_at(doc, &["identity", "xdr_device_id"])
        .or_else(|| str_at(doc, &["xdr_device_id"]))
        .map(str::to_owned);
    let summary = doc.get("summary");
    let count = |k: &str| {
        summary
            .and_then(|s| s.get(k))
            .and_then(|n| n.as_u64())
            .unwrap_or(0)
    };
    let verdict = str_at(doc, &["verdict"])
        .or_else(|| str_at(doc, &["summary", "verdict"]))
        .map(str::to_owned)
        .or_else(|| {
            summary.filter(|s| s.is_object()).map(|_| {
                if count("fail") > 0 {
                    "fail".to_owned()
                } else if count("warn") > 0 {
                    "warn".to_owned()
                } else {
                    "pass".to_owned()
                }
            })
        });
    let problems: Vec<String> = doc
        .get("findings")
        .and_then(|f| f.as_array())
        .map(|list| {
            list.iter()
                .filter(|f| matches!(str_at(f, &["status"]), Some("fail" | "warn")))
                .filter_map(|f| str_at(f, &["id"]).map(str::to_owned))
                .take(5)
                .collect()
        })
        .unwrap_or_default();
    let local =
        (verdict.is_some() || !problems.is_empty()).then_some(LocalSummary { verdict, problems });
    Some(Wanted {
        name: hostname.to_owned(),
        agent_id,
        source: Some(source.to_owned()),
        local,
    })
}

/// A file under `--collected` that is not a collect file, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotRead {
    pub path: String,
    /// `not JSON` or `no hostname`.
    pub reason: String,
}

/// Every collect file under `dir` (recursively). Files that are not JSON or lack a host
/// name are returned as not read, with the reason.
pub fn read_collected(dir: &Path) -> Result<(Vec<Wanted>, Vec<NotRead>), InputError> {
    if !dir.is_dir() {
        return Err(InputError::Io {
            path: dir.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a folder"),
        });
    }
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .max_depth(4)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
        })
        .collect();
    files.sort();
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut skipped = Vec::new();
    for path in files {
        let shown = path.display().to_string();
        let meta_ok = std::fs::metadata(&path).is_ok_and(|m| m.len() <= 32 * 1024 * 1024);
        let parsed = meta_ok
            .then(|| std::fs::read(&path).ok())
            .flatten()
            .and_then(|b| serde_json::from_str::<serde_json::Value>(&decode(&b)).ok());
        match parsed.as_ref().and_then(|d| wanted_from_collect(d, &shown)) {
            // The same machine collected twice: keep the later file (sorted by path).
            Some(w) => {
                wanted.retain(|x| !x.name.eq_ignore_ascii_case(&w.name));
                wanted.push(w);
            }
            None => skipped.push(NotRead {
                path: shown,
                reason: if parsed.is_some() {
                    "no hostname".to_owned()
                } else {
                    "not JSON".to_owned()
                },
            }),
        }
    }
    Ok((wanted, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_list_skips_blanks_comments_and_duplicates() {
        let names = parse_names("PC-01\n\n# a comment\npc-01\r\nPC-02  \n").expect("names");
        assert_eq!(names, ["PC-01", "PC-02"]);
    }

    #[test]
    fn an_active_directory_export_with_bom_type_line_and_quotes() {
        let text = "\u{feff}#TYPE Selected.Microsoft.ActiveDirectory.Management.ADComputer\n\"DistinguishedName\",\"DNSHostName\",\"Name\"\n\"CN=PC-01,OU=Tokyo,DC=corp\",\"pc-01.corp.local\",\"PC-01\"\n\"CN=PC \"\"2\"\",OU=Osaka,DC=corp\",\"pc-2.corp.local\",\"PC-02\"\n";
        let bytes = text.as_bytes();
        let names = parse_names(&decode(bytes)).expect("names");
        assert_eq!(names, ["PC-01", "PC-02"]);
    }

    #[test]
    fn semicolons_and_utf16_are_understood() {
        let text = "Name;OS\nPC-01;Windows\n\"PC;02\";Windows\n";
        let mut bytes = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(
            parse_names(&decode(&bytes)).expect("names"),
            ["PC-01", "PC;02"]
        );
    }

    #[test]
    fn a_csv_without_a_name_column_is_an_error() {
        assert!(parse_names("OS,Version\nWindows,11\n").is_err());
    }

    #[test]
    fn collect_files_are_read_tolerantly() {
        let doc = serde_json::json!({
            "hostname": "PC-01",
            "identity": {"xdr_device_id": "abc"},
            "summary": {"pass": 3, "warn": 0, "fail": 1},
            "findings": [{"id": "agent.basecamp.process", "status": "fail"}, {"id": "x", "status": "pass"}]
        });
        let w = wanted_from_collect(&doc, "a.json").expect("wanted");
        assert_eq!(w.agent_id.as_deref(), Some("abc"));
        let local = w.local.expect("local");
        assert_eq!(local.verdict.as_deref(), Some("fail"));
        assert_eq!(local.problems, ["agent.basecamp.process"]);
        let flat = serde_json::json!({"hostname": "PC-02", "xdr_device_id": "def"});
        assert_eq!(
            wanted_from_collect(&flat, "b")
                .expect("w")
                .agent_id
                .as_deref(),
            Some("def")
        );
        assert!(wanted_from_collect(&serde_json::json!({"name": "x"}), "c").is_none());
    }
}
