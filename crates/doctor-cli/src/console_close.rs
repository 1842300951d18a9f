//! Windows: closing the console window (or logging off, or shutting down) while a bundle is
//! being written. Windows ends the process as soon as the console handler returns, so the
//! cancel flag alone (what Ctrl-C sets through `ctrlc`) would leave the partial zip on the
//! Desktop. This handler sets the flag and then waits, within the few seconds Windows
//! allows, until the bundle has stopped and removed its partial file.

// The one Windows API this needs (SetConsoleCtrlHandler) and its callback are unsafe by type.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

static CANCEL: OnceLock<Arc<AtomicBool>> = OnceLock::new();
/// The bundle has returned (placed, failed or cancelled): nothing is left to clean up.
static FINISHED: AtomicBool = AtomicBool::new(false);

/// Windows gives a handler about 5 s for a close event (and less at log-off); stay under.
const WAIT: Duration = Duration::from_millis(4500);

/// Installs the handler for the bundle that `cancel` stops. Ctrl-C and Ctrl-Break are left
/// to the next handler (`ctrlc`'s); call after `ctrlc::set_handler`, since Windows asks the
/// handler installed last first.
pub fn guard(cancel: Arc<AtomicBool>) {
    let _ = CANCEL.set(cancel);
    // SAFETY: `on_event` is a plain function that lives as long as the process.
    unsafe {
        windows_sys::Win32::System::Console::SetConsoleCtrlHandler(Some(on_event), 1);
    }
}

/// The bundle has returned; a close event no longer needs to wait.
pub fn finished() {
    FINISHED.store(true, Ordering::SeqCst);
}

unsafe extern "system" fn on_event(kind: u32) -> windows_sys::Win32::Foundation::BOOL {
    use windows_sys::Win32::System::Console::{
        CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT,
    };
    if !matches!(
        kind,
        CTRL_CLOSE_EVENT | CTRL_LOGOFF_EVENT | CTRL_SHUTDOWN_EVENT
    ) {
        return 0; // Ctrl-C / Ctrl-Break: the next handler's
    }
    if let Some(cancel) = CANCEL.get() {
        cancel.store(true, Ordering::SeqCst);
    }
    let until = Instant::now() + WAIT;
    while !FINISHED.load(Ordering::SeqCst) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    1
}
