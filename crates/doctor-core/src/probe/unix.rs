//! Filesystem access under a root folder, shared by the Linux and macOS probes, so tests
//! can point a real probe at a temporary tree instead of `/`.

use super::{PathKind, ProbeError};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub(crate) struct Root(PathBuf);

impl Root {
    pub(crate) fn new(root: impl Into<PathBuf>) -> Self {
        Root(root.into())
    }

    pub(crate) fn is_system_root(&self) -> bool {
        self.0 == Path::new("/")
    }

    /// `path` (absolute, as the catalogue writes it) under this root.
    pub(crate) fn join(&self, path: &str) -> PathBuf {
        self.0.join(path.trim_start_matches('/'))
    }

    pub(crate) fn path_kind(&self, path: &str) -> Result<PathKind, ProbeError> {
        let full = self.join(path);
        match std::fs::metadata(&full) {
            Ok(m) if m.is_dir() => Ok(PathKind::Dir),
            Ok(_) => Ok(PathKind::File),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PathKind::Missing),
            Err(source) => Err(ProbeError::Io {
                what: "a file",
                path: full,
                source,
            }),
        }
    }

    pub(crate) fn file_size(&self, path: &str) -> Result<u64, ProbeError> {
        let full = self.join(path);
        std::fs::metadata(&full)
            .map(|m| m.len())
            .map_err(|source| ProbeError::Io {
                what: "a file",
                path: full,
                source,
            })
    }

    pub(crate) fn read_to_string(&self, path: &str) -> Result<Option<String>, ProbeError> {
        let full = self.join(path);
        match std::fs::read_to_string(&full) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ProbeError::Io {
                what: "a file",
                path: full,
                source,
            }),
        }
    }

    /// Thumbprints of the certificates in the first CA bundle found under the root.
    pub(crate) fn bundle_thumbprints(&self, bundles: &[&str]) -> Result<Vec<String>, ProbeError> {
        for bundle in bundles {
            let full = self.join(bundle);
            let bytes = match std::fs::read(&full) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(ProbeError::Io {
                        what: "the CA certificate bundle",
                        path: full,
                        source,
                    })
                }
            };
            return Ok(CertificateDer::pem_slice_iter(&bytes)
                .filter_map(Result::ok)
                .map(|der| super::common::thumbprint(der.as_ref()))
                .collect());
        }
        Err(ProbeError::Query {
            what: "the trusted root certificates".into(),
            detail: format!("no CA bundle found (looked for {})", bundles.join(", ")),
        })
    }

    pub(crate) fn list_dir(&self, path: &str) -> Result<Vec<super::DirEntry>, ProbeError> {
        super::common::list_dir_at(&self.join(path))
    }

    pub(crate) fn read_tail(&self, path: &str, max: u64) -> Result<Vec<u8>, ProbeError> {
        super::common::read_tail_at(&self.join(path), max)
    }

    pub(crate) fn free_space(&self, path: &str) -> Result<u64, ProbeError> {
        super::common::free_space_at(&self.join(path))
    }
}
