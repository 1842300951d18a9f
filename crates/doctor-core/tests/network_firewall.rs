//! Step 2 against the kernel firewall: nftables rules in a table of this test's own, on
//! loopback ports only, that reject with the ICMP "prohibited" replies firewalld and router
//! ACLs send, drop silently, or reset. The table is deleted when the test ends. Needs `nft`
//! and the right to change the firewall (CAP_NET_ADMIN); without them each test says so and
//! passes without running.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod support;

use doctor_core::checks::reach::findings;
use doctor_core::netfacts::NetworkReport;
use doctor_core::network::region::RegionChoice;
use doctor_core::network::{probe_hosts, NetError, StageName};
use doctor_core::present::note;
use doctor_core::{Catalogue, Lang};
use std::process::Command;
use std::time::Duration;
use support::*;

/// An nftables table owned by one test, deleted (by name) when dropped.
struct Firewall {
    table: String,
}

impl Firewall {
    fn new() -> Result<Firewall, String> {
        let table = format!("bd_doctor_test_{}", std::process::id());
        let fw = Firewall { table };
        fw.nft(&["add", "table", "inet", &fw.table])
            .map_err(|e| format!("SKIPPED: cannot change the kernel firewall ({e})"))?;
        fw.nft(&[
            "add",
            "chain",
            "inet",
            &fw.table,
            "out",
            "{ type filter hook output priority 0 ; }",
        ])?;
        Ok(fw)
    }

    fn nft(&self, args: &[&str]) -> Result<(), String> {
        let out = Command::new("nft")
            .args(args)
            .output()
            .map_err(|e| format!("nft: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }

    /// Applies `verdict` to TCP sent to 127.0.0.1:`port`.
    fn rule(&self, port: u16, verdict: &str) {
        let rule = format!("ip daddr 127.0.0.1 tcp dport {port} {verdict}");
        let mut args = vec!["add", "rule", "inet", &self.table, "out"];
        args.extend(rule.split(' '));
        self.nft(&args).unwrap();
    }
}

impl Drop for Firewall {
    fn drop(&mut self) {
        let _ = self.nft(&["delete", "table", "inet", &self.table]);
    }
}

#[tokio::test]
async fn icmp_prohibited_replies_read_as_a_firewall_rejecting_not_as_no_route() {
    let fw = match Firewall::new() {
        Ok(fw) => fw,
        Err(why) => {
            println!("{why}");
            return;
        }
    };
    let name = "api-test.xbc.example";
    let mut ports = Vec::new();
    for verdict in [
        "reject with icmp type admin-prohibited",
        "reject with icmp type host-prohibited",
        "reject with icmp type net-prohibited",
    ] {
        // Something listens behind the rule: without it the port would simply be open.
        let port = black_hole().await.port();
        fw.rule(port, verdict);
        ports.push(port);
    }
    let reset = black_hole().await.port();
    fw.rule(reset, "reject with tcp reset");
    let targets: Vec<_> = ports
        .iter()
        .chain([&reset])
        .map(|p| target(name, *p))
        .collect();
    let cfg = config(vec![], &[name], Duration::from_secs(3));
    let results = probe_hosts(&targets, &cfg).await;
    for r in &results[..3] {
        assert_eq!(
            r.failure().map(|(s, e, _)| (s, e)),
            Some((StageName::Tcp, NetError::Prohibited)),
            "{r:#?}"
        );
    }
    assert_eq!(
        results[3].failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Tcp, NetError::Refused))
    );

    let rep = NetworkReport {
        region: Some(RegionChoice::Chosen { code: "jp".into() }),
        proxy: None,
        pac_url: None,
        timeout_secs: 3,
        root_cause: doctor_core::netfacts::root_cause(&results),
        results: results.clone(),
        checked_at: None,
        only_given_hosts: false,
        region_hosts_unknown: false,
        pac_evaluated: false,
        cancelled: false,
    };
    // A rejection is not "offline": no single cause hides the rule.
    assert_eq!(rep.root_cause, None);
    let all = findings(&Catalogue::embedded(), &rep);
    let host = all
        .iter()
        .find(|f| f.id == format!("network.host.{name}:{}", ports[0]))
        .unwrap();
    assert_eq!(host.message.key, "network.host.prohibited");
    assert_eq!(
        host.remedy.as_ref().unwrap().key,
        "network.remedy.prohibited"
    );
    let text = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    for p in &ports {
        assert!(text.contains(&format!("{name}  TCP {p}")), "{text}");
    }
    drop(fw);
}

fn os() -> doctor_core::probe::OsFacts {
    serde_json::from_value(serde_json::json!({
        "platform": "linux", "name": "Debian GNU/Linux 12", "version": "12", "arch": "x86_64",
        "bits": 64, "hostname": "web-01", "system_drive": "/"
    }))
    .unwrap()
}
