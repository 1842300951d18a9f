//! The TLS handshake of the diagnosis: a certificate verifier that records the chain and
//! what the normal WebPKI verification (OS trust store plus any extra roots) thinks of
//! it, then lets the handshake finish so the negotiated version and the chain can be
//! reported. This connection never carries data; the HTTPS request uses a normal,
//! verifying client.

use super::{CertInfo, NetError};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};
use std::sync::{Arc, Mutex};

/// The verdict of the real verifier on the chain the server sent.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorded {
    pub chain: Vec<CertInfo>,
    pub problem: Option<(NetError, String)>,
}

#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    /// `None` when no root at all is trusted: then every chain is untrusted.
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    pub recorded: Mutex<Recorded>,
}

impl RecordingVerifier {
    pub(crate) fn new(roots: Arc<RootCertStore>) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let inner = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .ok();
        RecordingVerifier {
            inner,
            provider,
            recorded: Mutex::new(Recorded::default()),
        }
    }
}

/// Subject, issuer and validity of a DER certificate, for people to read.
pub(crate) fn describe(der: &[u8]) -> CertInfo {
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => CertInfo {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            not_before: cert
                .validity()
                .not_before
                .to_rfc2822()
                .unwrap_or_else(|e| e.to_string()),
            not_after: cert
                .validity()
                .not_after
                .to_rfc2822()
                .unwrap_or_else(|e| e.to_string()),
        },
        Err(e) => CertInfo {
            subject: format!("(unreadable certificate: {e})"),
            issuer: String::new(),
            not_before: String::new(),
            not_after: String::new(),
        },
    }
}

fn classify(err: &Error) -> NetError {
    match err {
        Error::InvalidCertificate(CertificateError::Expired)
        | Error::InvalidCertificate(CertificateError::NotValidYet)
        | Error::InvalidCertificate(CertificateError::ExpiredContext { .. })
        | Error::InvalidCertificate(CertificateError::NotValidYetContext { .. }) => {
            NetError::TlsExpired
        }
        Error::InvalidCertificate(CertificateError::NotValidForName)
        | Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. }) => {
            NetError::TlsNameMismatch
        }
        _ => NetError::TlsUntrusted,
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verdict = match &self.inner {
            Some(v) => {
                v.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            }
            None => Err(Error::InvalidCertificate(CertificateError::UnknownIssuer)),
        };
        let mut rec = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        rec.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| describe(c.as_ref()))
            .collect();
        rec.problem = verdict.err().map(|e| (classify(&e), e.to_string()));
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Maps a failed handshake to what it means for the user.
pub(crate) fn classify_handshake(err: &std::io::Error) -> NetError {
    use std::io::ErrorKind;
    if let Some(tls) = err.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
        return match tls {
            Error::AlertReceived(rustls::AlertDescription::ProtocolVersion)
            | Error::PeerIncompatible(_) => NetError::TlsOldVersion,
            _ => NetError::TlsFailed,
        };
    }
    match err.kind() {
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => NetError::Reset,
        ErrorKind::UnexpectedEof => NetError::Closed,
        ErrorKind::TimedOut => NetError::Timeout,
        _ => NetError::TlsFailed,
    }
}
