//! The two Windows calls the shell needs: starting itself elevated through UAC, and a
//! plain message box when the WebView2 runtime is missing and no window can show.
use std::os::windows::ffi::OsStrExt;

fn wide(s: &std::ffi::OsStr) -> Vec<u16> {
    s.encode_wide().chain(std::iter::once(0)).collect()
}

/// Quotes one argument for CommandLineToArgvW.
fn quote(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\t', '"']) {
        return arg.to_owned();
    }
    format!("\"{}\"", arg.replace('"', "\\\""))
}

#[allow(unsafe_code)]
pub fn run_elevated() -> std::io::Result<()> {
    use windows_sys::Win32::UI::Shell::ShellExecuteW;
    use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWNORMAL;
    let exe = std::env::current_exe()?;
    let args: Vec<String> = std::env::args().skip(1).map(|a| quote(&a)).collect();
    let verb = wide("runas".as_ref());
    let file = wide(exe.as_os_str());
    let params = wide(args.join(" ").as_ref());
    // SAFETY: every pointer is a NUL-terminated UTF-16 buffer that outlives the call;
    // a null window and directory are allowed by ShellExecuteW.
    let result = unsafe {
        ShellExecuteW(
            std::ptr::null_mut(),
            verb.as_ptr(),
            file.as_ptr(),
            params.as_ptr(),
            std::ptr::null(),
            SW_SHOWNORMAL,
        )
    };
    // Values above 32 mean success; the user declining UAC is an error too.
    if result as isize > 32 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[allow(unsafe_code)]
pub fn message_box(title: &str, text: &str) {
    use windows_sys::Win32::UI::WindowsAndMessaging::{MessageBoxW, MB_ICONWARNING, MB_OK};
    let title = wide(title.as_ref());
    let text = wide(text.as_ref());
    // SAFETY: both pointers are NUL-terminated UTF-16 buffers that outlive the call.
    unsafe {
        MessageBoxW(
            std::ptr::null_mut(),
            text.as_ptr(),
            title.as_ptr(),
            MB_OK | MB_ICONWARNING,
        );
    }
}

/// The Evergreen WebView2 runtime registers its version under EdgeUpdate's clients.
pub fn webview2_present() -> bool {
    use doctor_core::probe::Probe;
    const CLIENT: &str = r"Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}";
    let probe = doctor_core::probe::windows::WindowsProbe::new();
    [
        format!(r"HKLM\SOFTWARE\WOW6432Node\{CLIENT}"),
        format!(r"HKLM\SOFTWARE\{CLIENT}"),
        format!(r"HKCU\Software\{CLIENT}"),
    ]
    .iter()
    .any(|key| {
        probe
            .registry_value(key, "pv")
            .ok()
            .flatten()
            .is_some_and(|v| !v.as_text().is_empty() && v.as_text() != "0.0.0.0")
    })
}
