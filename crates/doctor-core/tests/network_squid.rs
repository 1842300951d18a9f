//! Step 2 against a real forward proxy: Debian's squid, started by each test on a loopback
//! port with a generated configuration (basic authentication, a deny list, the usual
//! "CONNECT only to SSL ports" rule, its own hosts file and no reachable DNS server), and
//! stopped by its PID. Every name squid is asked for resolves to a loopback address or, for
//! the DNS-failure case, ends in `.invalid`: no test reaches the internet. When squid is not
//! installed each test says so and passes without running (`scripts/setup.sh test` installs it).
#![cfg(unix)]
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod support;

use doctor_core::checks::reach::findings;
use doctor_core::finding::{Finding, Status};
use doctor_core::netfacts::NetworkReport;
use doctor_core::network::proxy::ProxyChoice;
use doctor_core::network::region::RegionChoice;
use doctor_core::network::{probe_hosts, HostResult, NetConfig, NetError, StageName};
use doctor_core::present::note;
use doctor_core::{Catalogue, Lang, Locale};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::*;

const SQUID: &str = "/usr/sbin/squid";
const NCSA: &str = "/usr/lib/squid/basic_ncsa_auth";
const CERTGEN: &str = "/usr/lib/squid/security_file_certgen";

/// A squid process of one test; stopped (SIGTERM, then SIGKILL) by its PID when dropped.
struct Squid {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

struct SquidSetup<'a> {
    /// Ports CONNECT may go to (the usual rule allows 443 only).
    ssl_ports: &'a [u16],
    /// Names squid resolves from its hosts file.
    hosts: &'a [(&'a str, &'a str)],
    /// Require basic authentication (an htpasswd file made here).
    auth: bool,
    /// Re-sign every TLS connection with this CA (certificate and key in PEM): squid's
    /// ssl-bump, the way TLS-inspecting proxies work.
    bump_ca: Option<String>,
}

fn squid_missing() -> Option<String> {
    for bin in [SQUID, NCSA, CERTGEN] {
        if !Path::new(bin).exists() {
            return Some(format!(
                "SKIPPED: {bin} is not installed (apt-get install squid-openssl; scripts/setup.sh test does it)"
            ));
        }
    }
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An htpasswd line squid's `basic_ncsa_auth` accepts, made with the system's crypt.
fn htpasswd_line() -> String {
    let out = Command::new("openssl")
        .args(["passwd", "-apr1", "-salt", "bdtest01", "secret"])
        .output()
        .unwrap();
    format!("agent:{}\n", String::from_utf8_lossy(&out.stdout).trim())
}

fn open_to_all(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

impl Squid {
    fn start(setup: &SquidSetup) -> Squid {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_owned();
        // Squid started as root drops to its own user: it must read and write here.
        open_to_all(&d, 0o777);
        let hosts: String = setup
            .hosts
            .iter()
            .map(|(name, ip)| format!("{ip} {name}\n"))
            .collect();
        std::fs::write(d.join("hosts"), hosts).unwrap();
        open_to_all(&d.join("hosts"), 0o644);
        let port = free_port();
        let ports: Vec<String> = setup.ssl_ports.iter().map(ToString::to_string).collect();
        let mut listen = format!("http_port 127.0.0.1:{port}");
        if let Some(pem) = &setup.bump_ca {
            std::fs::write(d.join("bump.pem"), pem).unwrap();
            open_to_all(&d.join("bump.pem"), 0o644);
            let db = d.join("ssl_db");
            let made = Command::new(CERTGEN)
                .args(["-c", "-s"])
                .arg(&db)
                .args(["-M", "4MB"])
                .output()
                .unwrap();
            assert!(made.status.success(), "{made:?}");
            let _ = Command::new("chmod")
                .arg("-R")
                .arg("a+rwX")
                .arg(&db)
                .status();
            listen = format!(
                "http_port 127.0.0.1:{port} ssl-bump tls-cert={d}/bump.pem generate-host-certificates=on dynamic_cert_mem_cache_size=4MB
sslcrtd_program {CERTGEN} -s {d}/ssl_db -M 4MB
sslcrtd_children 2
acl step1 at_step SslBump1
ssl_bump peek step1
ssl_bump bump all
# The upstream is a test server signed by a test CA.
tls_outgoing_options flags=DONT_VERIFY_PEER",
                d = d.display()
            );
        }
        let mut conf = format!(
            "{listen}
pid_filename {d}/squid.pid
cache_log {d}/cache.log
access_log stdio:{d}/access.log
cache deny all
cache_mem 4 MB
coredump_dir {d}
hosts_file {d}/hosts
# No DNS server answers here: names outside the hosts file fail without leaving the machine.
dns_nameservers 127.0.0.1
dns_timeout 1 seconds
pinger_enable off
shutdown_lifetime 0 seconds
visible_hostname squid-test
acl SSL_ports port {ports}
acl CONNECT method CONNECT
acl denied dstdomain .denied.example
http_access deny denied
http_access deny CONNECT !SSL_ports
",
            d = d.display(),
            ports = ports.join(" "),
        );
        if setup.auth {
            std::fs::write(d.join("passwd"), htpasswd_line()).unwrap();
            open_to_all(&d.join("passwd"), 0o644);
            conf.push_str(&format!(
                "auth_param basic program {NCSA} {}/passwd
auth_param basic realm basecamp-doctor-test
acl authed proxy_auth REQUIRED
http_access allow authed
http_access deny all
",
                d.display()
            ));
        } else {
            conf.push_str("http_access allow all\n");
        }
        std::fs::write(d.join("squid.conf"), conf).unwrap();
        let child = Command::new(SQUID)
            .args(["-N", "-f"])
            .arg(d.join("squid.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let squid = Squid { child, port, dir };
        squid.wait_ready();
        squid
    }

    fn wait_ready(&self) {
        for _ in 0..200 {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(self.dir.path().join("cache.log")).unwrap_or_default();
        panic!("squid did not start listening on {}:\n{log}", self.port);
    }

    fn choice(&self, source: &str) -> ProxyChoice {
        ProxyChoice {
            host: "127.0.0.1".into(),
            port: self.port,
            source: source.into(),
            display: format!("127.0.0.1:{}", self.port),
            bypass: Vec::new(),
        }
    }

    /// Sends one raw request and returns the status line squid answers with.
    fn raw_status(&self, request: &str) -> String {
        use std::io::{BufRead, BufReader, Write};
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut line = String::new();
        BufReader::new(s).read_line(&mut line).unwrap();
        line.trim().to_owned()
    }
}

impl Drop for Squid {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..60 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn report(results: Vec<HostResult>, proxy: Option<ProxyChoice>) -> NetworkReport {
    NetworkReport {
        region: Some(RegionChoice::Chosen { code: "jp".into() }),
        proxy,
        pac_url: None,
        timeout_secs: 15,
        root_cause: doctor_core::netfacts::root_cause(&results),
        results,
        checked_at: None,
        only_given_hosts: false,
        region_hosts_unknown: false,
        pac_evaluated: false,
        cancelled: false,
    }
}

fn finding<'a>(all: &'a [Finding], id: &str) -> &'a Finding {
    all.iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

fn evidence<'a>(f: &'a Finding, label: &str) -> Option<&'a str> {
    f.evidence
        .iter()
        .find(|e| e.key == format!("evidence.{label}"))
        .map(|e| e.value.as_str())
}

fn problems(all: &[Finding]) -> Vec<&Finding> {
    all.iter().filter(|f| f.status == Status::Fail).collect()
}

fn through(squid: &Squid, roots: Vec<rustls::pki_types::CertificateDer<'static>>) -> NetConfig {
    let mut cfg = config(roots, &[], Duration::from_secs(15));
    cfg.proxy = Some(squid.choice("winhttp"));
    cfg
}

#[tokio::test]
async fn squid_asking_for_credentials_is_read_as_407_with_its_status_line_and_page_title() {
    if let Some(why) = squid_missing() {
        println!("{why}");
        return;
    }
    let ca = Ca::new("Test Vision One Root CA");
    let server = https_server(
        ca.server_config(&["api-test.xbc.example"]),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let squid = Squid::start(&SquidSetup {
        ssl_ports: &[443, server.port()],
        hosts: &[("api-test.xbc.example", "127.0.0.1")],
        auth: true,
        bump_ca: None,
    });
    let cfg = through(&squid, vec![ca.der()]);
    let results = probe_hosts(&[target("api-test.xbc.example", server.port())], &cfg).await;
    let r = &results[0];
    assert_eq!(
        r.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Proxy, NetError::ProxyAuthRequired)),
        "{r:#?}"
    );
    let reply = r.proxy_reply.as_ref().unwrap();
    assert!(reply.status_line.contains("407"), "{reply:?}");
    assert!(
        reply
            .title
            .as_deref()
            .is_some_and(|t| t.starts_with("ERROR")),
        "{reply:?}"
    );

    let all = findings(
        &Catalogue::embedded(),
        &report(results.clone(), cfg.proxy.clone()),
    );
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.message.key, "network.summary.cause.proxy_auth");
    assert_eq!(problems(&all).len(), 1, "one cause, one problem");
    assert!(evidence(summary, "proxy_status").unwrap().contains("407"));
    assert!(evidence(summary, "proxy_page_title").is_some());
}

#[tokio::test]
async fn squid_denying_a_domain_is_the_proxys_policy_naming_the_proxy_with_its_page() {
    if let Some(why) = squid_missing() {
        println!("{why}");
        return;
    }
    let ca = Ca::new("Test Vision One Root CA");
    let names = ["api-test.xbc.example", "wsc-test.denied.example"];
    let server = https_server(
        ca.server_config(&names),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let squid = Squid::start(&SquidSetup {
        ssl_ports: &[443, server.port()],
        hosts: &[
            ("api-test.xbc.example", "127.0.0.1"),
            ("wsc-test.denied.example", "127.0.0.1"),
        ],
        auth: false,
        bump_ca: None,
    });
    let cfg = through(&squid, vec![ca.der()]);
    let results = probe_hosts(
        &[
            target(names[0], server.port()),
            target(names[1], server.port()),
        ],
        &cfg,
    )
    .await;
    assert!(results[0].reachable(), "{:#?}", results[0]);
    let denied = &results[1];
    assert_eq!(
        denied.failure().map(|(s, e, _)| (s, e)),
        Some((StageName::Proxy, NetError::ProxyDenied)),
        "{denied:#?}"
    );
    let rep = report(results.clone(), cfg.proxy.clone());
    let all = findings(&Catalogue::embedded(), &rep);
    let host = finding(
        &all,
        &format!("network.host.{}:{}", names[1], server.port()),
    );
    assert_eq!(host.message.key, "network.host.proxy_denied");
    assert_eq!(
        host.message.params["proxy"],
        squid.choice("winhttp").display
    );
    assert_eq!(
        host.remedy.as_ref().unwrap().key,
        "network.remedy.proxy_denied"
    );
    assert_eq!(
        evidence(host, "proxy_status"),
        Some("HTTP/1.1 403 Forbidden")
    );
    assert!(evidence(host, "proxy_error_code")
        .unwrap()
        .starts_with("ERR_ACCESS_DENIED"));
    assert_eq!(
        evidence(host, "proxy_page_title"),
        Some("ERROR: The requested URL could not be retrieved")
    );
    let en = Locale::get(Lang::En).render(&host.message.key, &host.message.params);
    assert!(en.contains(&squid.choice("winhttp").display), "{en}");
    // The proxy's deny rule is what the note asks to change, on that proxy.
    let text = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    assert!(
        text.contains(&format!("{}  TCP {}", names[1], server.port())),
        "{text}"
    );
    assert!(!text.contains(&format!("{}  TCP", names[0])), "{text}");
    assert!(text.contains(Locale::get(Lang::En).text("note.proxy_hint")));
}

#[tokio::test]
async fn squid_unable_to_resolve_or_reach_the_host_is_upstream_trouble_not_an_access_rule() {
    if let Some(why) = squid_missing() {
        println!("{why}");
        return;
    }
    let closed = refused_port().await;
    let squid = Squid::start(&SquidSetup {
        ssl_ports: &[443, closed.port()],
        hosts: &[("api-test.xbc.example", "127.0.0.1")],
        auth: false,
        bump_ca: None,
    });
    let cfg = through(&squid, vec![]);
    let results = probe_hosts(
        &[
            // Resolves (squid's hosts file) to a port nobody listens on: 503.
            target("api-test.xbc.example", closed.port()),
            // Squid's DNS has no server to ask: 500/503 from the proxy, never a DNS
            // failure of this endpoint.
            target("vision-one.invalid", 443),
        ],
        &cfg,
    )
    .await;
    for r in &results {
        assert_eq!(
            r.failure().map(|(s, e, _)| (s, e)),
            Some((StageName::Proxy, NetError::ProxyUpstream)),
            "{r:#?}"
        );
        let reply = r.proxy_reply.as_ref().unwrap();
        assert!(reply.error_code.is_some(), "{reply:?}");
        assert!(reply.title.is_some(), "{reply:?}");
    }
    assert!(results[0]
        .proxy_reply
        .as_ref()
        .unwrap()
        .status_line
        .contains("503"));

    let rep = report(results.clone(), cfg.proxy.clone());
    assert_eq!(
        rep.root_cause.as_ref().map(|c| c.cause.as_str()),
        Some("proxy_upstream")
    );
    let all = findings(&Catalogue::embedded(), &rep);
    assert_eq!(problems(&all).len(), 1);
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.message.key, "network.summary.cause.proxy_upstream");
    assert!(summary.message.params["status_line"].starts_with("HTTP/1.1 5"));
    assert!(!all
        .iter()
        .any(|f| f.message.key == "network.host.dns_not_found"));
    for lang in Lang::ALL {
        let text = note::render(&rep, &os(), &Catalogue::embedded(), lang);
        let l = Locale::get(lang);
        assert!(!text.contains(l.text("note.allow_heading")), "{text}");
        assert!(
            text.contains("ERR_") || text.contains("HTTP/1.1 5"),
            "{text}"
        );
    }
}

/// A plain-HTTP server on port 80 of a second loopback address, as the catalogue's
/// `cdn-api-ap2…:80` is used. Needs the right to bind port 80.
fn plain_http_on_port_80() -> Result<SocketAddr, String> {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.2:80")
        .map_err(|e| format!("SKIPPED: cannot listen on 127.0.0.2:80 ({e})"))?;
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let date = chrono::Utc::now()
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            let _ = s.write_all(
                format!("HTTP/1.1 200 OK\r\nDate: {date}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                    .as_bytes(),
            );
        }
    });
    Ok(addr)
}

#[tokio::test]
async fn a_plain_http_host_goes_through_squid_as_a_get_not_a_connect_to_port_80() {
    if let Some(why) = squid_missing() {
        println!("{why}");
        return;
    }
    let server = match plain_http_on_port_80() {
        Ok(a) => a,
        Err(why) => {
            println!("{why}");
            return;
        }
    };
    const CDN: &str = "cdn-api-test.xbc.example";
    let squid = Squid::start(&SquidSetup {
        ssl_ports: &[443],
        hosts: &[(CDN, "127.0.0.2")],
        auth: false,
        bump_ca: None,
    });
    // The usual rule: a CONNECT tunnel to port 80 is refused. Testing that way would
    // report a false failure whose remedy weakens a sensible rule.
    let refused = squid.raw_status(&format!(
        "CONNECT {CDN}:80 HTTP/1.1\r\nHost: {CDN}:80\r\n\r\n"
    ));
    assert!(refused.contains("403"), "{refused}");

    let cfg = through(&squid, vec![]);
    let results = probe_hosts(&[target(CDN, server.port())], &cfg).await;
    let r = &results[0];
    assert!(r.reachable(), "{r:#?}");
    let http = r.http.value().unwrap();
    assert_eq!(http.status, 200);
    assert_eq!(
        http.request.as_deref(),
        Some(&*format!("GET http://{CDN}/"))
    );
    let all = findings(
        &Catalogue::embedded(),
        &report(results.clone(), cfg.proxy.clone()),
    );
    assert_eq!(finding(&all, "network.summary").status, Status::Pass);
    let host = finding(&all, &format!("network.host.{CDN}:80"));
    assert!(evidence(host, "stage_http")
        .unwrap()
        .contains("GET http://"));
}

fn os() -> doctor_core::probe::OsFacts {
    serde_json::from_value(serde_json::json!({
        "platform": "linux", "name": "Debian GNU/Linux 12", "version": "12", "arch": "x86_64",
        "bits": 64, "hostname": "web-01", "system_drive": "/"
    }))
    .unwrap()
}

#[tokio::test]
async fn squid_re_signing_tls_is_named_as_inspection_whether_or_not_this_computer_trusts_it() {
    if let Some(why) = squid_missing() {
        println!("{why}");
        return;
    }
    let agent_ca = Ca::new("Test Vision One Root CA");
    let bump = Ca::new("Corp Bump Inspection CA");
    let names = ["api-test.xbc.example", "wsc-test.xbc.example"];
    let server = https_server(
        agent_ca.server_config(&names),
        Duration::ZERO,
        chrono::Duration::zero(),
    )
    .await;
    let squid = Squid::start(&SquidSetup {
        ssl_ports: &[443, server.port()],
        hosts: &[(names[0], "127.0.0.1"), (names[1], "127.0.0.1")],
        auth: false,
        bump_ca: Some(bump.pem_with_key()),
    });
    let targets = [
        target(names[0], server.port()),
        target(names[1], server.port()),
    ];

    // This computer does not trust the proxy's CA.
    let cfg = through(&squid, vec![agent_ca.der()]);
    let results = probe_hosts(&targets, &cfg).await;
    for r in &results {
        assert_eq!(
            r.failure().map(|(s, e, _)| (s, e)),
            Some((StageName::Tls, NetError::TlsUntrusted)),
            "{r:#?}"
        );
        assert_eq!(r.proxy.value(), Some(&200), "the tunnel itself was opened");
    }
    let rep = report(results.clone(), cfg.proxy.clone());
    let cause = rep.root_cause.clone().unwrap();
    assert_eq!(cause.hosts.len(), 2);
    let all = findings(&Catalogue::embedded(), &rep);
    assert_eq!(problems(&all).len(), 1, "{:#?}", problems(&all));
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.message.key, "network.summary.cause.tls_inspection");
    assert!(summary.message.params["ca"].contains("Corp Bump Inspection CA"));
    let text = note::render(&rep, &os(), &Catalogue::embedded(), Lang::En);
    assert!(
        !text.contains(Locale::get(Lang::En).text("note.allow_heading")),
        "{text}"
    );
    assert!(text.contains("Corp Bump Inspection CA"), "{text}");

    // This computer trusts it (installed by policy); the agent still does not.
    let mut cfg = through(&squid, vec![agent_ca.der(), bump.der()]);
    cfg.agent_roots = vec![thumbprint(agent_ca.der().as_ref())];
    let results = probe_hosts(&targets, &cfg).await;
    for r in &results {
        assert_eq!(
            r.failure().map(|(s, e, _)| (s, e)),
            Some((StageName::Tls, NetError::TlsInspected)),
            "{r:#?}"
        );
    }
    let all = findings(&Catalogue::embedded(), &report(results, cfg.proxy.clone()));
    let summary = finding(&all, "network.summary");
    assert_eq!(summary.message.key, "network.summary.cause.tls_inspection");
    assert!(summary.message.params["ca"].contains("Corp Bump Inspection CA"));
}
