//! How quantities read for people, in one place for every face: byte sizes and times.

/// Bytes as people read them (1024-based, as Windows Explorer shows sizes).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| secs.to_string())
}

/// A duration recorded as language-neutral evidence (`10 s`, `-42 s`) in `locale`'s unit
/// (`10 秒` in Japanese); `None` for anything else.
pub fn localised_seconds(value: &str, locale: &crate::i18n::Locale) -> Option<String> {
    let n = value.strip_suffix(" s")?;
    n.parse::<f64>().ok()?;
    let mut p = std::collections::BTreeMap::new();
    p.insert("n".to_owned(), n.to_owned());
    Some(locale.render("unit.seconds", &p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_human() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GB");
        assert_eq!(human_bytes(1536), "1.5 KB");
    }

    #[test]
    fn seconds_read_in_the_locales_unit() {
        use crate::i18n::{Lang, Locale};
        let ja = Locale::get(Lang::Ja);
        assert_eq!(localised_seconds("10 s", ja).as_deref(), Some("10 秒"));
        assert_eq!(localised_seconds("-42 s", ja).as_deref(), Some("-42 秒"));
        assert_eq!(
            localised_seconds("10 s", Locale::get(Lang::En)).as_deref(),
            Some("10 s")
        );
        assert_eq!(localised_seconds("HTTP 200 (3 ms)", ja), None);
        assert_eq!(localised_seconds("abc s", ja), None);
    }

    #[test]
    fn utc_time_formats() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00 UTC");
    }
}
