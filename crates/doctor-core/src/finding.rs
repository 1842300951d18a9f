//! What a check returns: a [`Finding`] with a status, a message key and its parameters,
//! ordered evidence and an optional remedy. It owns no text: every sentence is a key into
//! `locales/*.json`, so the GUI, the CLI and the bundle report say the same thing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Outcome of one check. `Skipped` means the check could not run (the reason is the
/// message); it is never a pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Pass,
    Info,
    Skipped,
    Warn,
    Fail,
}

impl Status {
    /// How bad the status is, for sorting and summarising: pass/info/skipped are 0.
    pub fn severity(self) -> u8 {
        match self {
            Status::Pass | Status::Info | Status::Skipped => 0,
            Status::Warn => 1,
            Status::Fail => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Info => "info",
            Status::Skipped => "skipped",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// The guide's steps, plus the system-requirement items of the vendor's XDR Endpoint
/// Checker. The order here is the order findings are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// Step 1: is Endpoint Basecamp installed, running and registered.
    Process,
    /// Step 2: can the endpoint reach the Vision One hosts of its region.
    Network,
    /// Step 3: switch the connection destination after an Apex One migration.
    Connection,
    /// Step 4: what support needs (which depends on the coexisting agents).
    Support,
    /// System requirements: OS, resources, TLS, certificates.
    System,
    /// The console's side (optional, with an API key): is the endpoint in Endpoint
    /// Inventory.
    Console,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Process,
        Step::Network,
        Step::Connection,
        Step::Support,
        Step::System,
        Step::Console,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Process => "process",
            Step::Network => "network",
            Step::Connection => "connection",
            Step::Support => "support",
            Step::System => "system",
            Step::Console => "console",
        }
    }

    /// Locale key of the step's heading.
    pub fn title_key(self) -> String {
        format!("step.{}.title", self.as_str())
    }
}

/// A locale key with named parameters (`{name}` placeholders in the text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Message {
    pub key: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Message {
    pub fn new(key: impl Into<String>) -> Self {
        Message {
            key: key.into(),
            params: BTreeMap::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }
}

/// One labelled fact behind a finding. `key` is the locale key of the label; `value` is raw
/// data (a PID, a path), unless `value_key` names a locale key to show instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Evidence {
    pub key: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Finding {
    /// Stable dotted id, e.g. `agent.basecamp.process`.
    pub id: String,
    pub step: Step,
    pub status: Status,
    pub message: Message,
    pub evidence: Vec<Evidence>,
    pub remedy: Option<Message>,
    /// Whether faces show the remedy: decided here once (a passing item's advice is not
    /// shown), so the CLI, the app, report.html and inquiry.txt never decide it apart.
    #[serde(default)]
    pub show_remedy: bool,
}

impl Finding {
    pub fn new(id: &str, step: Step, status: Status, message: Message) -> Self {
        Finding {
            id: id.to_owned(),
            step,
            status,
            message,
            evidence: Vec::new(),
            remedy: None,
            show_remedy: false,
        }
    }

    /// Adds raw evidence under the label key `evidence.<label>`.
    pub fn evidence(mut self, label: &str, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence {
            key: format!("evidence.{label}"),
            value: value.into(),
            value_key: None,
        });
        self
    }

    /// Adds evidence whose value is itself a locale key (a state such as "running").
    pub fn evidence_keyed(mut self, label: &str, raw: &str, value_key: String) -> Self {
        self.evidence.push(Evidence {
            key: format!("evidence.{label}"),
            value: raw.to_owned(),
            value_key: Some(value_key),
        });
        self
    }

    /// Adds parameters to the message.
    pub fn with_params(mut self, params: &[(&str, &str)]) -> Self {
        for (k, v) in params {
            self.message.params.insert((*k).to_owned(), (*v).to_owned());
        }
        self
    }

    pub fn remedy(mut self, remedy: Message) -> Self {
        self.show_remedy = self.status != Status::Pass;
        self.remedy = Some(remedy);
        self
    }

    /// The remedy when it is to be shown.
    pub fn shown_remedy(&self) -> Option<&Message> {
        self.remedy.as_ref().filter(|_| self.show_remedy)
    }
}

/// The one overall verdict every face shows (the CLI, the report, the text for support, the
/// app's review). `Incomplete`: nothing failed or needs attention, but something was not
/// checked — never passed off as OK.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    #[default]
    Pass,
    Incomplete,
    Warn,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Incomplete => "incomplete",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    /// As for [`Status::severity`]: an incomplete check is not a warning (exit code 0).
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Pass | Verdict::Incomplete => 0,
            Verdict::Warn => 1,
            Verdict::Fail => 2,
        }
    }

    /// The worst status present, for files that record a [`Status`] (collect): an
    /// incomplete run is `skipped` there, never `pass`.
    pub fn status(self) -> Status {
        match self {
            Verdict::Pass => Status::Pass,
            Verdict::Incomplete => Status::Skipped,
            Verdict::Warn => Status::Warn,
            Verdict::Fail => Status::Fail,
        }
    }
}

/// Something that was not checked, with how to check it: what makes a verdict
/// `incomplete`. `id` is the skipped finding's id, or `network` when step 2 did not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unchecked {
    pub id: String,
    pub step: Step,
    /// What was not checked (the skipped finding's own message, which carries the reason).
    pub what: Message,
    /// How to check it (a key with an `.app` variant where the CLI and the app differ).
    pub how: Message,
}

impl Unchecked {
    /// What `findings` left unchecked: step 2 when it did not run (`network_ran` false),
    /// then every skipped finding in order.
    pub fn of(findings: &[Finding], network_ran: bool) -> Vec<Unchecked> {
        let mut out = Vec::new();
        if !network_ran {
            out.push(Unchecked {
                id: "network".into(),
                step: Step::Network,
                what: Message::new("unchecked.network.not_run"),
                how: Message::new("unchecked.network.how"),
            });
        }
        for f in findings.iter().filter(|f| f.status == Status::Skipped) {
            // Its own remedy when it has one (e.g. choose the region), else: check again.
            let how = f.remedy.clone().unwrap_or_else(|| {
                Message::new(if f.step == Step::Network {
                    "unchecked.network.rerun"
                } else {
                    "unchecked.rerun"
                })
            });
            out.push(Unchecked {
                id: f.id.clone(),
                step: f.step,
                what: f.message.clone(),
                how,
            });
        }
        out
    }
}

/// Counts per status and the overall verdict of a set of findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    /// `fail`, else `warn`, else `incomplete` when something was not checked, else `pass`:
    /// the one verdict every face shows.
    pub verdict: Verdict,
    pub pass: usize,
    pub info: usize,
    pub skipped: usize,
    pub warn: usize,
    pub fail: usize,
}

impl Summary {
    /// The summary of `findings`; a skipped finding makes a run without problems
    /// `incomplete`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Summary::default();
        for f in findings {
            match f.status {
                Status::Pass => s.pass += 1,
                Status::Info => s.info += 1,
                Status::Skipped => s.skipped += 1,
                Status::Warn => s.warn += 1,
                Status::Fail => s.fail += 1,
            }
        }
        s.verdict = s.worst(false);
        s
    }

    /// Also something that has no finding of its own was not checked (step 2 not run).
    pub fn with_unchecked(mut self, unchecked: bool) -> Self {
        self.verdict = self.worst(unchecked);
        self
    }

    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    fn worst(&self, unchecked: bool) -> Verdict {
        if self.fail > 0 {
            Verdict::Fail
        } else if self.warn > 0 {
            Verdict::Warn
        } else if self.skipped > 0 || unchecked {
            Verdict::Incomplete
        } else {
            Verdict::Pass
        }
    }

    /// The CLI's exit code for this summary: 0 no warnings or failures (all passed, or
    /// incomplete), 1 warnings, 2 failures.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.verdict().severity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(id: &str, step: Step, status: Status) -> Finding {
        Finding::new(id, step, status, Message::new("x"))
    }

    #[test]
    fn something_unchecked_without_a_problem_is_incomplete_never_a_pass() {
        let ok = [
            f("a", Step::Process, Status::Pass),
            f("b", Step::System, Status::Info),
        ];
        assert_eq!(Summary::of(&ok).verdict(), Verdict::Pass);
        assert_eq!(
            Summary::of(&ok).with_unchecked(true).verdict(),
            Verdict::Incomplete,
            "step 2 not run"
        );
        let skipped = [
            f("a", Step::Process, Status::Pass),
            f("network.region", Step::Network, Status::Skipped),
        ];
        let s = Summary::of(&skipped);
        assert_eq!(s.verdict(), Verdict::Incomplete);
        assert_eq!(s.exit_code(), 0);
        let warned = [
            f("n", Step::Network, Status::Skipped),
            f("w", Step::Process, Status::Warn),
        ];
        assert_eq!(
            Summary::of(&warned).with_unchecked(true).verdict(),
            Verdict::Warn
        );
        assert_eq!(Summary::of(&warned).exit_code(), 1);
        // What is unchecked, with how to check it: step 2 first, then each skipped finding.
        let u = Unchecked::of(&skipped, false);
        assert_eq!(
            u.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
            ["network", "network.region"]
        );
        assert_eq!(u[0].how.key, "unchecked.network.how");
        assert_eq!(u[1].how.key, "unchecked.network.rerun");
        let with_remedy = [f("network.region", Step::Network, Status::Skipped)
            .remedy(Message::new("network.region.unknown.remedy"))];
        assert_eq!(
            Unchecked::of(&with_remedy, true)[0].how.key,
            "network.region.unknown.remedy"
        );
        let denied = [f("system.tls12", Step::System, Status::Skipped)];
        assert_eq!(Unchecked::of(&denied, true)[0].how.key, "unchecked.rerun");
        assert_eq!(Verdict::Incomplete.status(), Status::Skipped);
    }
}
