//! What the admin typed for support (step 4): checked once here (`SupportAnswers::checked`),
//! and turned into the one ordered list of lines (`lines`) that `inquiry.txt` and
//! `report.html` both render, so the two cannot disagree about what is shown. It does not
//! format anything itself; the renderers do.

use crate::diagnosis::Diagnosis;
use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// What the admin typed for support. Kept as typed: support asked for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupportAnswers {
    pub business_id: Option<String>,
    pub apex_one_saas_server_guid: Option<String>,
    pub apex_one_saas_activation_code: Option<String>,
    pub on_premises_server_guid: Option<String>,
    pub on_premises_activation_code: Option<String>,
    /// The old on-premises server no longer exists.
    #[serde(default)]
    pub on_premises_server_gone: bool,
    pub notes: Option<String>,
    /// The admin ticked "I have noted the current Workbench alert recipients" (step 4).
    #[serde(default)]
    pub recipients_noted: bool,
}

/// A typed answer that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("not a Business ID: {0}")]
    BusinessId(String),
}

impl AnswerError {
    /// The locale key that explains it.
    pub fn message_key(&self) -> &'static str {
        match self {
            AnswerError::BusinessId(_) => "error.business_id",
        }
    }

    /// What was typed.
    pub fn value(&self) -> &str {
        match self {
            AnswerError::BusinessId(v) => v,
        }
    }
}

/// A Business ID as the console shows it: 4 to 64 letters, digits and hyphens.
pub fn valid_business_id(text: &str) -> bool {
    let t = text.trim();
    (4..=64).contains(&t.len()) && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SupportAnswers {
    /// The answers trimmed, with empty fields as not given, once the Business ID is known to
    /// be one. The CLI and the app call this before anything else runs.
    pub fn checked(self) -> Result<SupportAnswers, AnswerError> {
        let tidy = |v: Option<String>| given(&v).map(str::to_owned);
        let answers = SupportAnswers {
            business_id: tidy(self.business_id),
            apex_one_saas_server_guid: tidy(self.apex_one_saas_server_guid),
            apex_one_saas_activation_code: tidy(self.apex_one_saas_activation_code),
            on_premises_server_guid: tidy(self.on_premises_server_guid),
            on_premises_activation_code: tidy(self.on_premises_activation_code),
            on_premises_server_gone: self.on_premises_server_gone,
            recipients_noted: self.recipients_noted,
            notes: tidy(self.notes),
        };
        match &answers.business_id {
            Some(id) if !valid_business_id(id) => Err(AnswerError::BusinessId(id.clone())),
            _ => Ok(answers),
        }
    }

    fn any_apex_one(&self) -> bool {
        [
            &self.apex_one_saas_server_guid,
            &self.apex_one_saas_activation_code,
            &self.on_premises_server_guid,
            &self.on_premises_activation_code,
        ]
        .into_iter()
        .any(|v| given(v).is_some())
            || self.on_premises_server_gone
    }
}

/// Where a line belongs in the inquiry text (the report shows them all in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// With the endpoint's own details at the top.
    Endpoint,
    /// With what was found about the Apex One agent.
    ApexOne,
    /// At the end.
    Notes,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerValue {
    /// As the admin typed it (trimmed).
    Typed(String),
    /// Asked for, left empty.
    NotGiven,
    /// A fixed statement, as a locale key.
    Said(&'static str),
}

/// One line for support: a label (locale key) and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerLine {
    pub section: Section,
    pub label_key: &'static str,
    pub value: AnswerValue,
}

impl AnswerLine {
    /// The value as the reader sees it, in `locale`.
    pub fn value_text(&self, locale: &Locale) -> String {
        match &self.value {
            AnswerValue::Typed(v) => v.clone(),
            AnswerValue::NotGiven => locale.text("bundle.inquiry.not_given").to_owned(),
            AnswerValue::Said(key) => locale.text(key).to_owned(),
        }
    }
}

/// The lines support gets, in order: the Business ID; the Apex One server GUIDs and
/// activation codes when an Apex One agent was found or any of them was typed (the
/// on-premises pair replaced by "no longer exists" when the admin said so); the notes.
pub fn lines(answers: &SupportAnswers, diagnosis: &Diagnosis) -> Vec<AnswerLine> {
    let line = |section, label_key, v: &Option<String>| AnswerLine {
        section,
        label_key,
        value: given(v).map_or(AnswerValue::NotGiven, |s| AnswerValue::Typed(s.to_owned())),
    };
    let mut out = vec![line(
        Section::Endpoint,
        "bundle.inquiry.business_id",
        &answers.business_id,
    )];
    if diagnosis.coexistence.apex_one.is_some() || answers.any_apex_one() {
        out.push(line(
            Section::ApexOne,
            "bundle.inquiry.saas_guid",
            &answers.apex_one_saas_server_guid,
        ));
        out.push(line(
            Section::ApexOne,
            "bundle.inquiry.saas_code",
            &answers.apex_one_saas_activation_code,
        ));
        if answers.on_premises_server_gone {
            out.push(AnswerLine {
                section: Section::ApexOne,
                label_key: "bundle.inquiry.onprem",
                value: AnswerValue::Said("bundle.inquiry.onprem_gone"),
            });
        } else {
            out.push(line(
                Section::ApexOne,
                "bundle.inquiry.onprem_guid",
                &answers.on_premises_server_guid,
            ));
            out.push(line(
                Section::ApexOne,
                "bundle.inquiry.onprem_code",
                &answers.on_premises_activation_code,
            ));
        }
    }
    if let Some(notes) = given(&answers.notes) {
        out.push(AnswerLine {
            section: Section::Notes,
            label_key: "bundle.inquiry.notes",
            value: AnswerValue::Typed(notes.to_owned()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_trims_drops_empty_fields_and_refuses_a_bad_business_id() {
        let a = SupportAnswers {
            business_id: Some("  a1b2-C3D4 ".into()),
            notes: Some("   ".into()),
            ..Default::default()
        }
        .checked()
        .unwrap_or_default();
        assert_eq!(a.business_id.as_deref(), Some("a1b2-C3D4"));
        assert_eq!(a.notes, None);
        let bad = SupportAnswers {
            business_id: Some("has space".into()),
            ..Default::default()
        }
        .checked();
        assert_eq!(bad, Err(AnswerError::BusinessId("has space".into())));
        assert_eq!(
            SupportAnswers {
                business_id: Some(" ".into()),
                ..Default::default()
            }
            .checked()
            .map(|a| a.business_id),
            Ok(None)
        );
    }
}
