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
    /// Step 3: this endpoint was managed by on-premises Apex One (or Virus Buster Corp.).
    /// `None`: not answered — never taken as yes or no.
    #[serde(default)]
    pub managed_by_on_premises: Option<bool>,
    /// Step 3: the old Apex One console shows the blue bar about Vision One.
    #[serde(default)]
    pub blue_bar_shown: Option<bool>,
    /// Step 3: the connection destination was switched (the blue bar's Details).
    #[serde(default)]
    pub switch_done: Option<bool>,
    /// Step 3: when it was switched, `YYYY-MM-DD` (not in the future).
    #[serde(default)]
    pub switch_date: Option<String>,
}

/// A typed answer that cannot be right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("not a Business ID: {0}")]
    BusinessId(String),
    /// Not a date (`YYYY-MM-DD`), or one in the future.
    #[error("not a past date: {0}")]
    SwitchDate(String),
    /// Step 3's answers contradict each other: a switch (or a blue bar) on an endpoint
    /// said not to have been managed by on-premises Apex One, or a date for a switch not
    /// said to be done.
    #[error("the step 3 answers contradict each other")]
    Step3Inconsistent,
}

impl AnswerError {
    /// The locale key that explains it.
    pub fn message_key(&self) -> &'static str {
        match self {
            AnswerError::BusinessId(_) => "error.business_id",
            AnswerError::SwitchDate(_) => "error.switch_date",
            AnswerError::Step3Inconsistent => "error.step3_inconsistent",
        }
    }

    /// What was typed.
    pub fn value(&self) -> &str {
        match self {
            AnswerError::BusinessId(v) | AnswerError::SwitchDate(v) => v,
            AnswerError::Step3Inconsistent => "",
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

/// A switch date as typed: `YYYY-MM-DD`, not after `today`.
pub fn valid_switch_date(text: &str, today: chrono::NaiveDate) -> bool {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").is_ok_and(|d| d <= today)
}

impl SupportAnswers {
    /// The answers trimmed, with empty fields as not given, once the Business ID is known to
    /// be one and step 3's answers agree with each other (a switch date not in the future).
    /// The CLI and the app call this before anything else runs.
    pub fn checked(self) -> Result<SupportAnswers, AnswerError> {
        self.checked_on(chrono::Local::now().date_naive())
    }

    /// [`SupportAnswers::checked`] with `today` given (for tests).
    pub fn checked_on(self, today: chrono::NaiveDate) -> Result<SupportAnswers, AnswerError> {
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
            managed_by_on_premises: self.managed_by_on_premises,
            blue_bar_shown: self.blue_bar_shown,
            switch_done: self.switch_done,
            switch_date: tidy(self.switch_date),
        };
        if let Some(id) = answers
            .business_id
            .as_ref()
            .filter(|id| !valid_business_id(id))
        {
            return Err(AnswerError::BusinessId(id.clone()));
        }
        if let Some(date) = answers.switch_date.as_ref() {
            if !valid_switch_date(date, today) {
                return Err(AnswerError::SwitchDate(date.clone()));
            }
        }
        // Refused, not silently dropped: the admin sees which answer to change.
        let step3_given = answers.blue_bar_shown.is_some() || answers.switch_done.is_some();
        let not_managed = answers.managed_by_on_premises == Some(false);
        let date_without_switch =
            answers.switch_date.is_some() && answers.switch_done != Some(true);
        if (not_managed && (step3_given || answers.switch_date.is_some())) || date_without_switch {
            return Err(AnswerError::Step3Inconsistent);
        }
        Ok(answers)
    }

    /// Step 3 was answered in any way.
    fn any_step3(&self) -> bool {
        self.managed_by_on_premises.is_some()
            || self.blue_bar_shown.is_some()
            || self.switch_done.is_some()
            || self.switch_date.is_some()
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
            || self.managed_by_on_premises == Some(true)
    }
}

/// The diagnosis as the bundle reports it: with the finding that the typed Business ID is
/// not the agent's own (`agent_facts::business_id_mismatch`, the one the app shows on step
/// 4), when it is not; `None` when nothing is added.
pub fn judged(answers: &SupportAnswers, diagnosis: &Diagnosis) -> Option<Diagnosis> {
    let typed = given(&answers.business_id)?;
    if diagnosis
        .findings
        .iter()
        .any(|f| f.id == "agent.business_id")
    {
        return None;
    }
    let finding = crate::checks::agent_facts::business_id_mismatch(&diagnosis.agent, typed)?;
    Some(diagnosis.clone().with_finding(finding))
}

/// Where a line belongs in the inquiry text (the report shows them all in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// With the endpoint's own details at the top.
    Endpoint,
    /// Step 3, switching the connection destination (before the Apex One details).
    Connection,
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

/// The lines support gets, in order: the Business ID; step 3's answers (managed by
/// on-premises Apex One; the blue bar; the switch and its date) and the Apex One server GUIDs
/// and activation codes, both only when an Apex One agent was found or the admin said
/// anything about Apex One, and each pair only when step 4 asked for it or something was typed (the on-premises pair replaced by "no longer exists" when the
/// admin said so; after "not managed by on-premises Apex One" nothing more of step 3); the
/// notes. An unanswered question is "not entered", never a yes or a no.
pub fn lines(answers: &SupportAnswers, diagnosis: &Diagnosis) -> Vec<AnswerLine> {
    let line = |section, label_key, v: &Option<String>| AnswerLine {
        section,
        label_key,
        value: given(v).map_or(AnswerValue::NotGiven, |s| AnswerValue::Typed(s.to_owned())),
    };
    let said = |label_key, v: Option<bool>, yes, no| AnswerLine {
        section: Section::Connection,
        label_key,
        value: match v {
            Some(true) => AnswerValue::Said(yes),
            Some(false) => AnswerValue::Said(no),
            None => AnswerValue::NotGiven,
        },
    };
    let mut out = vec![line(
        Section::Endpoint,
        "bundle.inquiry.business_id",
        &answers.business_id,
    )];
    let apex_one = diagnosis.coexistence.apex_one.is_some() || answers.any_apex_one();
    // "Not managed by on-premises Apex One" on an endpoint without Apex One says nothing
    // about Apex One worth a row.
    if apex_one || (answers.any_step3() && answers.managed_by_on_premises != Some(false)) {
        out.push(said(
            "bundle.inquiry.step3_managed",
            answers.managed_by_on_premises,
            "bundle.inquiry.yes",
            "bundle.inquiry.no",
        ));
        if answers.managed_by_on_premises != Some(false) {
            out.push(said(
                "bundle.inquiry.step3_blue_bar",
                answers.blue_bar_shown,
                "bundle.inquiry.step3_blue_bar_shown",
                "bundle.inquiry.step3_blue_bar_not_shown",
            ));
            out.push(said(
                "bundle.inquiry.step3_switch",
                answers.switch_done,
                "bundle.inquiry.step3_switch_done",
                "bundle.inquiry.step3_switch_not_done",
            ));
            if answers.switch_done == Some(true) {
                out.push(line(
                    Section::Connection,
                    "bundle.inquiry.step3_switch_date",
                    &answers.switch_date,
                ));
            }
        }
    }
    // Step 4 asks only the questions that apply to this endpoint
    // (`Coexistence::questions`): a field it never showed is listed only when it was typed
    // anyway (the CLI takes every field), never as "not entered".
    let asked = |id: &str| diagnosis.coexistence.questions.iter().any(|q| q.id == id);
    let field = |out: &mut Vec<AnswerLine>, asked: bool, label_key, v: &Option<String>| {
        if asked || given(v).is_some() {
            out.push(line(Section::ApexOne, label_key, v));
        }
    };
    if apex_one {
        let saas = asked("apex_one_saas_server");
        field(
            &mut out,
            saas,
            "bundle.inquiry.saas_guid",
            &answers.apex_one_saas_server_guid,
        );
        field(
            &mut out,
            saas,
            "bundle.inquiry.saas_code",
            &answers.apex_one_saas_activation_code,
        );
        if answers.on_premises_server_gone {
            out.push(AnswerLine {
                section: Section::ApexOne,
                label_key: "bundle.inquiry.onprem",
                value: AnswerValue::Said("bundle.inquiry.onprem_gone"),
            });
        } else {
            let onprem = asked("on_premises_server");
            field(
                &mut out,
                onprem,
                "bundle.inquiry.onprem_guid",
                &answers.on_premises_server_guid,
            );
            field(
                &mut out,
                onprem,
                "bundle.inquiry.onprem_code",
                &answers.on_premises_activation_code,
            );
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

    fn step3(
        managed: Option<bool>,
        bar: Option<bool>,
        done: Option<bool>,
        date: Option<&str>,
    ) -> Result<SupportAnswers, AnswerError> {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        SupportAnswers {
            managed_by_on_premises: managed,
            blue_bar_shown: bar,
            switch_done: done,
            switch_date: date.map(str::to_owned),
            ..Default::default()
        }
        .checked_on(today)
    }

    #[test]
    fn step3_answers_are_kept_checked_and_refused_when_they_contradict() {
        let a = step3(Some(true), Some(true), Some(true), Some(" 2026-11-20 ")).unwrap_or_default();
        assert_eq!(a.switch_date.as_deref(), Some("2026-11-20"));
        assert_eq!(a.switch_done, Some(true));
        // Today is not the future; unanswered stays unanswered.
        assert!(step3(Some(true), None, Some(true), Some("2026-11-26")).is_ok());
        let none = step3(None, None, None, Some("  ")).unwrap_or_default();
        assert_eq!(
            (
                none.managed_by_on_premises,
                none.switch_done,
                none.switch_date
            ),
            (None, None, None)
        );
        for bad in ["2026-11-27", "2026-13-01", "26/11/2026", "yesterday"] {
            assert_eq!(
                step3(Some(true), None, Some(true), Some(bad)),
                Err(AnswerError::SwitchDate(bad.into())),
                "{bad}"
            );
        }
        // A switch, a blue bar or a date on an endpoint not managed by on-premises Apex One.
        for (bar, done, date) in [
            (None, Some(true), None),
            (Some(true), None, None),
            (None, None, Some("2026-01-01")),
        ] {
            assert_eq!(
                step3(Some(false), bar, done, date),
                Err(AnswerError::Step3Inconsistent)
            );
        }
        // A date for a switch not said to be done.
        assert_eq!(
            step3(Some(true), None, Some(false), Some("2026-01-01")),
            Err(AnswerError::Step3Inconsistent)
        );
        assert_eq!(
            AnswerError::Step3Inconsistent.message_key(),
            "error.step3_inconsistent"
        );
    }
}
