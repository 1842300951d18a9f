//! Proxy auto-configuration scripts: on Windows the script is run through WinHTTP, served
//! here from a loopback HTTP server, and the proxy it chooses per URL is the one used; off
//! Windows it is reported, not evaluated. No test reaches the internet (WinHTTP only
//! fetches the script; the script itself resolves nothing).
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use doctor_core::network::pac::{proxy_for_url, PacChoice};

#[cfg(windows)]
fn serve_script(script: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-ns-proxy-autoconfig\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{script}",
                    script.len()
                )
                .as_bytes(),
            );
        }
    });
    format!("http://{addr}/proxy.pac")
}

#[cfg(windows)]
#[test]
fn windows_runs_the_script_and_its_choice_per_url_is_used() {
    let pac = serve_script(
        "function FindProxyForURL(url, host) {\n\
           if (shExpMatch(host, \"*.direct.example\")) return \"DIRECT\";\n\
           return \"PROXY 127.0.0.1:3128; DIRECT\";\n\
         }\n",
    );
    assert_eq!(
        proxy_for_url(&pac, "https://api-ap2.xbc.trendmicro.com/").unwrap(),
        PacChoice::Proxy {
            proxy: "127.0.0.1:3128".into(),
            bypass: None
        }
    );
    assert_eq!(
        proxy_for_url(&pac, "https://api.direct.example/").unwrap(),
        PacChoice::Direct
    );
}

#[cfg(not(windows))]
#[test]
fn off_windows_a_script_is_reported_not_evaluated() {
    let err =
        proxy_for_url("http://wpad.corp.invalid/proxy.pac", "https://x.example/").unwrap_err();
    assert!(err.contains("Windows only"), "{err}");
    let _ = PacChoice::Direct;
}
