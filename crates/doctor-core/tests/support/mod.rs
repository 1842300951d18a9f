//! Loopback servers for the network tests and the benchmark: a TLS + HTTP server signed
//! by a test CA, a black hole, a refused port, a slow server, a TLS-1.0-only peer and an
//! HTTP CONNECT proxy. Everything listens on 127.0.0.1 and stops with the test.
#![allow(dead_code, clippy::unwrap_used)]

use doctor_core::catalogue::HostEntry;
use doctor_core::network::NetConfig;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

pub struct Ca {
    pub cert: rcgen::Certificate,
    key: KeyPair,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Basecamp Doctor tests");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Ca { cert, key }
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// The certificate and its private key in PEM, as proxies that re-sign take them.
    pub fn pem_with_key(&self) -> String {
        format!("{}{}", self.cert.pem(), self.key.serialize_pem())
    }

    /// A server configuration for `names`, signed by this CA.
    pub fn server_config(&self, names: &[&str]) -> Arc<rustls::ServerConfig> {
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.cert, &self.key).unwrap();
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone(), self.der()], key_der)
        .unwrap();
        Arc::new(config)
    }
}

/// A TLS server that answers every request with `200 OK` and a `Date` header shifted by
/// `date_offset`, after waiting `delay` before the handshake.
pub async fn https_server(
    config: Arc<rustls::ServerConfig>,
    delay: Duration,
    date_offset: chrono::Duration,
) -> SocketAddr {
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    serve_https(listener, config, delay, date_offset)
}

/// [`https_server`] on a given address (an IPv6 loopback, a fixed port).
pub async fn https_server_at(at: SocketAddr, config: Arc<rustls::ServerConfig>) -> SocketAddr {
    let listener = TcpListener::bind(at).await.unwrap();
    serve_https(listener, config, Duration::ZERO, chrono::Duration::zero())
}

fn serve_https(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    delay: Duration,
    date_offset: chrono::Duration,
) -> SocketAddr {
    let addr = listener.local_addr().unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let date = (chrono::Utc::now() + date_offset)
                    .format("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string();
                let body = "{\"error\":\"not found\"}";
                let resp = format!(
                    "HTTP/1.1 404 Not Found\r\nDate: {date}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}

/// Accepts TCP connections and never says a word.
pub async fn black_hole() -> SocketAddr {
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    addr
}

/// A port nobody listens on: connections are refused.
pub async fn refused_port() -> SocketAddr {
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

/// A peer that, like a TLS-1.0-only server, answers a modern ClientHello with a fatal
/// `protocol_version` alert.
pub async fn tls10_only_server() -> SocketAddr {
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut hello = [0u8; 512];
                let _ = s.read(&mut hello).await;
                let _ = s
                    .write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])
                    .await;
                let _ = s.shutdown().await;
            });
        }
    });
    addr
}

/// An HTTP CONNECT proxy that tunnels every `host:port` to `upstream`, or answers 407.
pub async fn connect_proxy(upstream: SocketAddr, require_auth: bool) -> SocketAddr {
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                if !head.starts_with(b"CONNECT ") {
                    let _ = client
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                        .await;
                    return;
                }
                if require_auth {
                    let _ = client
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    addr
}

/// A CONNECT proxy that tunnels everything to `upstream` and records each request line.
pub async fn recording_connect_proxy(
    upstream: SocketAddr,
) -> (SocketAddr, Arc<std::sync::Mutex<Vec<String>>>) {
    let listener = TcpListener::bind((LOOPBACK, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).to_string();
                record
                    .lock()
                    .unwrap()
                    .push(text.lines().next().unwrap_or_default().to_owned());
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    (addr, seen)
}

/// Upper-case hex SHA-1 of a certificate, as the catalogue writes thumbprints.
pub fn thumbprint(der: &[u8]) -> String {
    use sha1::Digest;
    sha1::Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// A server configuration with one self-signed certificate for `name`.
pub fn self_signed_config(name: &str) -> Arc<rustls::ServerConfig> {
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key_der)
        .unwrap(),
    )
}

pub fn target(host: &str, port: u16) -> HostEntry {
    HostEntry {
        host: host.to_owned(),
        port,
        purpose: "xbc_api".to_owned(),
        optional: false,
    }
}

/// A config that trusts only `roots` and resolves `names` to 127.0.0.1.
pub fn config(roots: Vec<CertificateDer<'static>>, names: &[&str], timeout: Duration) -> NetConfig {
    let resolve: HashMap<String, Vec<IpAddr>> = names
        .iter()
        .map(|n| ((*n).to_owned(), vec![LOOPBACK]))
        .collect();
    NetConfig {
        timeout,
        extra_roots: roots,
        skip_os_roots: true,
        resolve,
        ..NetConfig::default()
    }
}
