//! Writes the TypeScript types of the wire contract into `ui/src/lib/generated/` from the
//! Rust types the app serialises (`cargo test -p doctor-core --features ts --test ts_types`;
//! scripts/gen-types.sh runs it, CI fails when the files change).
#![cfg(feature = "ts")]
#![allow(clippy::unwrap_used)]

use ts_rs::TS;

#[test]
fn export_wire_types() {
    // scripts/gen-types.sh names a fresh folder; by hand, the UI's folder directly.
    let dir = std::env::var_os("TS_EXPORT_DIR").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/generated"),
        std::path::PathBuf::from,
    );
    doctor_core::Diagnosis::export_all_to(&dir).unwrap();
    doctor_core::fleet::FleetReport::export_all_to(&dir).unwrap();
    doctor_core::bundle::BundleOutcome::export_all_to(&dir).unwrap();
    doctor_core::bundle::Progress::export_all_to(&dir).unwrap();
    doctor_core::netfacts::NetEvent::export_all_to(&dir).unwrap();
    doctor_core::bundle::SourcePreview::export_all_to(&dir).unwrap();
    doctor_core::bundle::SupportAnswers::export_all_to(&dir).unwrap();
    doctor_core::bundle::Screenshot::export_all_to(&dir).unwrap();
}
