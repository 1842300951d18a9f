//! The message catalogues (`locales/ja.json`, `locales/en.json`, embedded at build time)
//! and the one renderer that turns keys and parameters into text. The web UI has a twin of
//! [`Locale::render`] in TypeScript; both use `{name}` placeholders and nothing else.

use crate::finding::Message;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// A parameter value starting with this names a locale key whose text is used instead
/// (a region's or a state's name), so parameters can be localised too.
pub const KEY_PARAM: &str = "@l10n:";

/// The parameter value that renders as the text of `key`.
pub fn key_param(key: &str) -> String {
    format!("{KEY_PARAM}{key}")
}

const JA: &str = include_str!("../../../locales/ja.json");
const EN: &str = include_str!("../../../locales/en.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ja, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Parses `ja`, `en`, or an OS locale such as `ja-JP`, `ja_JP.UTF-8`, `en-US`.
    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.trim().to_ascii_lowercase();
        let primary = lower.split(['-', '_', '.', '@']).next().unwrap_or("");
        match primary {
            "ja" | "jp" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language for an OS locale: Japanese for Japanese locales, English otherwise.
    pub fn from_os_locale(locale: Option<&str>) -> Lang {
        match locale.and_then(Lang::parse) {
            Some(Lang::Ja) => Lang::Ja,
            _ => Lang::En,
        }
    }
}

/// One language's messages.
#[derive(Debug)]
pub struct Locale {
    lang: Lang,
    messages: HashMap<String, String>,
    /// Prefer a key's `.app` variant (what the app's window says where the CLI names a
    /// flag): for what the app writes, such as a bundle saved from the window.
    app: bool,
}

impl Locale {
    /// The embedded catalogue for `lang`. Parsed once per process.
    pub fn get(lang: Lang) -> &'static Locale {
        static JA_LOCALE: OnceLock<Locale> = OnceLock::new();
        static EN_LOCALE: OnceLock<Locale> = OnceLock::new();
        let (cell, text) = match lang {
            Lang::Ja => (&JA_LOCALE, JA),
            Lang::En => (&EN_LOCALE, EN),
        };
        cell.get_or_init(|| Locale::parse(lang, text).expect("embedded locale file is valid JSON"))
    }

    /// The embedded catalogue in the app's words: each key's `.app` variant where there is
    /// one (the window's field instead of the CLI's flag).
    pub fn get_app(lang: Lang) -> &'static Locale {
        static JA_APP: OnceLock<Locale> = OnceLock::new();
        static EN_APP: OnceLock<Locale> = OnceLock::new();
        let cell = match lang {
            Lang::Ja => &JA_APP,
            Lang::En => &EN_APP,
        };
        cell.get_or_init(|| {
            let cli = Locale::get(lang);
            Locale {
                lang,
                messages: cli.messages.clone(),
                app: true,
            }
        })
    }

    /// [`Locale::get`] or, for what the app writes, [`Locale::get_app`].
    pub fn for_face(lang: Lang, app: bool) -> &'static Locale {
        if app {
            Locale::get_app(lang)
        } else {
            Locale::get(lang)
        }
    }

    /// Parses a flat `{ "dotted.key": "text" }` catalogue.
    pub fn parse(lang: Lang, json: &str) -> Result<Locale, serde_json::Error> {
        let messages: HashMap<String, String> = serde_json::from_str(json)?;
        Ok(Locale {
            lang,
            messages,
            app: false,
        })
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    /// The text of `key`, or the key itself when it is missing (a test keeps that from
    /// happening; showing the key beats showing nothing).
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        if self.app {
            if let Some(t) = self.messages.get(&format!("{key}.app")) {
                return t;
            }
        }
        self.messages.get(key).map(String::as_str).unwrap_or(key)
    }

    /// Renders `key` with `{name}` placeholders replaced by `params`. Unknown placeholders
    /// are left as they are, so a missing parameter is visible rather than silently empty.
    pub fn render(&self, key: &str, params: &BTreeMap<String, String>) -> String {
        let localised: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| {
                let v = match v.strip_prefix(KEY_PARAM) {
                    Some(key) => self.text(key).to_owned(),
                    None => v.clone(),
                };
                (k.clone(), v)
            })
            .collect();
        fill(self.text(key), &localised)
    }

    pub fn message(&self, message: &Message) -> String {
        self.render(&message.key, &message.params)
    }
}

fn fill(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if params.contains_key(&after[..close]) => {
                out.push_str(&params[&after[..close]]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parses_os_locales() {
        assert_eq!(Lang::parse("ja_JP.UTF-8"), Some(Lang::Ja));
        assert_eq!(Lang::parse("ja-JP"), Some(Lang::Ja));
        assert_eq!(Lang::parse("en-US"), Some(Lang::En));
        assert_eq!(Lang::parse("de-DE"), None);
        assert_eq!(Lang::from_os_locale(Some("fr-FR")), Lang::En);
        assert_eq!(Lang::from_os_locale(None), Lang::En);
    }

    #[test]
    fn parameters_naming_a_key_are_localised() {
        let l = Locale::parse(Lang::En, r#"{"m": "Region {r}", "region.jp": "Japan"}"#).unwrap();
        let mut p = BTreeMap::new();
        p.insert("r".to_owned(), key_param("region.jp"));
        assert_eq!(l.render("m", &p), "Region Japan");
    }

    #[test]
    fn render_fills_known_placeholders_and_keeps_unknown_ones() {
        let mut p = BTreeMap::new();
        p.insert("n".to_owned(), "3".to_owned());
        assert_eq!(fill("{n} of {total} {", &p), "3 of {total} {");
        assert_eq!(fill("no params", &p), "no params");
        assert_eq!(fill("{n}{n}", &p), "33");
    }
}
