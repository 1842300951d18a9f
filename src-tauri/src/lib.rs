//! The Tauri v2 shell of Basecamp Doctor: thin commands over `doctor-core` (checks, the
//! support bundle with progress and cancel, the draft that keeps what the user typed), a
//! typed error the UI can show, and the `--scenario FILE` switch that replays a fixture
//! machine. It holds no diagnosis logic and no user-facing text (the UI renders keys).

use doctor_core::bundle::{self, BundleOutcome, ProgressSink, Screenshot, SupportAnswers};

mod reveal;
use doctor_core::checks::network::NetworkOptions;
use doctor_core::probe::fixture::FixtureProbe;
use doctor_core::probe::{Probe, ProbeSource};
use doctor_core::{Catalogue, Diagnosis, Lang};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tauri::ipc::Channel;
use tauri::Manager;

/// Start-up options, read once from the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Replay this scenario instead of reading the machine.
    pub scenario: Option<PathBuf>,
}

impl Options {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Options {
        let mut opts = Options::default();
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            if arg == "--scenario" {
                opts.scenario = it.next().map(PathBuf::from);
            } else if let Some(v) = arg.strip_prefix("--scenario=") {
                opts.scenario = Some(PathBuf::from(v));
            }
        }
        opts
    }
}

/// What the window's commands share.
#[derive(Default)]
struct Session {
    /// The last checks, which the bundle is made from.
    diagnosis: Mutex<Option<Diagnosis>>,
    /// The endpoint's IDs read with those checks.
    identity: Mutex<Option<doctor_core::identity::Identity>>,
    cancel: AtomicBool,
    /// The last bundle saved, the only path "open folder" may show.
    saved: Mutex<Option<PathBuf>>,
}

impl Session {
    /// The checks the bundle is made from; saving before any check is an error.
    fn last_diagnosis(&self) -> Result<Diagnosis, CommandError> {
        self.diagnosis
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| CommandError::new("bundle.no_checks", "error.no_checks", ""))
    }
}

/// An error the UI can show: a stable code, a locale key and the technical detail.
#[derive(Debug, Clone, Serialize)]
pub struct CommandError {
    pub code: &'static str,
    pub message_key: &'static str,
    pub detail: String,
}

impl CommandError {
    fn new(code: &'static str, message_key: &'static str, detail: impl ToString) -> Self {
        CommandError {
            code,
            message_key,
            detail: detail.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub version: &'static str,
    /// `ja` or `en`, from the OS locale.
    pub system_lang: Lang,
    pub source: ProbeSource,
    /// Where the bundle goes by default (the Desktop).
    pub destination: Option<String>,
}

fn probe_for(options: &Options) -> Result<Box<dyn Probe>, CommandError> {
    match &options.scenario {
        None => Ok(doctor_core::probe::live()),
        Some(path) => FixtureProbe::load(path)
            .map(|p| Box::new(p) as Box<dyn Probe>)
            .map_err(|e| CommandError::new("scenario.unreadable", "error.scenario", e)),
    }
}

#[tauri::command]
fn app_info(options: tauri::State<'_, Options>) -> AppInfo {
    let source = match &options.scenario {
        None => ProbeSource::Live,
        Some(path) => ProbeSource::Scenario {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.display().to_string(),
        },
    };
    AppInfo {
        version: doctor_core::VERSION,
        system_lang: Lang::from_os_locale(sys_locale::get_locale().as_deref()),
        source,
        destination: bundle::default_destination().map(|d| d.display().to_string()),
    }
}

/// Runs every check: the local ones off the UI thread (reading processes and services
/// takes a moment), then step 2 for `region` (`None`: detect it from the agent's files).
#[tauri::command]
async fn run_checks(
    options: tauri::State<'_, Options>,
    session: tauri::State<'_, Session>,
    region: Option<String>,
) -> Result<Diagnosis, CommandError> {
    let options = options.inner().clone();
    let catalogue = Catalogue::embedded();
    if let Some(code) = &region {
        if catalogue.region(code).is_none() {
            return Err(CommandError::new(
                "region.unknown",
                "network.region.unknown",
                code,
            ));
        }
    }
    let probe: Arc<dyn Probe> = probe_for(&options)?.into();
    let local = probe.clone();
    let (mut diagnosis, identity) = tauri::async_runtime::spawn_blocking(move || {
        let catalogue = Catalogue::embedded();
        let d = doctor_core::run_checks(local.as_ref(), &catalogue)
            .map_err(|e| CommandError::new("probe.failed", "error.probe", e))?;
        let id = doctor_core::identity::collect(local.as_ref(), &catalogue, &d);
        Ok::<_, CommandError>((d, id))
    })
    .await
    .map_err(|e| CommandError::new("internal", "error.probe", e))??;
    let net_options = NetworkOptions {
        region,
        ..NetworkOptions::default()
    };
    let os = diagnosis.os.clone();
    let report =
        doctor_core::checks::network::run(probe.as_ref(), &catalogue, &os, &net_options).await;
    diagnosis.add_network(&catalogue, report);
    *session.diagnosis.lock().unwrap_or_else(|p| p.into_inner()) = Some(diagnosis.clone());
    *session.identity.lock().unwrap_or_else(|p| p.into_inner()) = Some(identity);
    Ok(diagnosis)
}

/// The regions the user can choose, in the catalogue's order.
#[tauri::command]
fn list_regions() -> Vec<String> {
    Catalogue::embedded()
        .network
        .regions
        .into_iter()
        .map(|r| r.code)
        .collect()
}

fn draft_dir(app: &tauri::AppHandle) -> Result<PathBuf, CommandError> {
    app.path()
        .app_data_dir()
        .map(|d| d.join("draft"))
        .map_err(|e| CommandError::new("draft.unavailable", "error.draft", e))
}

/// The saved draft (everything typed, chosen or captured), if any.
#[tauri::command]
fn load_draft(app: tauri::AppHandle) -> Result<Option<serde_json::Value>, CommandError> {
    let path = draft_dir(&app)?.join("draft.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(serde_json::from_str(&text).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CommandError::new("draft.unreadable", "error.draft", e)),
    }
}

/// Saves the draft atomically (temporary file, then rename), so a crash keeps the last one.
#[tauri::command]
fn save_draft(app: tauri::AppHandle, draft: serde_json::Value) -> Result<(), CommandError> {
    let dir = draft_dir(&app)?;
    let io = |e: std::io::Error| CommandError::new("draft.unwritable", "error.draft", e);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let temp = dir.join("draft.json.tmp");
    let text = serde_json::to_vec_pretty(&draft)
        .map_err(|e| CommandError::new("draft.invalid", "error.draft", e))?;
    std::fs::write(&temp, text).map_err(io)?;
    std::fs::rename(&temp, dir.join("draft.json")).map_err(io)
}

/// "Start over": removes the draft and its screenshots.
#[tauri::command]
fn clear_draft(app: tauri::AppHandle) -> Result<(), CommandError> {
    let dir = draft_dir(&app)?;
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(CommandError::new("draft.unwritable", "error.draft", e))
        }
        _ => Ok(()),
    }
}

/// Stores a chosen image file in the draft folder at once (checked and scaled like any
/// screenshot), so it survives the original being moved.
#[tauri::command]
fn add_screenshot(app: tauri::AppHandle, path: String) -> Result<String, CommandError> {
    let bytes = std::fs::read(&path).map_err(|e| {
        CommandError::new("screenshot.unreadable", "error.screenshot_unreadable", e)
    })?;
    stored(doctor_core::screenshot::store(
        &bytes,
        &screenshot_dir(&app)?,
        false,
    ))
}

fn screenshot_dir(app: &tauri::AppHandle) -> Result<PathBuf, CommandError> {
    Ok(draft_dir(app)?.join("screenshots"))
}

fn stored(
    result: Result<doctor_core::screenshot::StoredImage, doctor_core::screenshot::ScreenshotError>,
) -> Result<String, CommandError> {
    result
        .map(|s| s.path.display().to_string())
        .map_err(|e| CommandError::new("screenshot.invalid", e.message_key(), e))
}

/// Stores an image sent as the raw request body (pasted, dropped or annotated): checked,
/// scaled down if wider than 3840 px, saved as PNG in the draft folder.
#[tauri::command]
fn store_screenshot(
    app: tauri::AppHandle,
    request: tauri::ipc::Request<'_>,
) -> Result<String, CommandError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::new(
            "screenshot.invalid",
            "error.screenshot_not_image",
            "no image data",
        ));
    };
    stored(doctor_core::screenshot::store(
        bytes,
        &screenshot_dir(&app)?,
        false,
    ))
}

/// The bytes of a stored screenshot, for its preview and the annotation editor. Only files
/// inside the draft's screenshot folder can be read.
#[tauri::command]
fn read_screenshot(
    app: tauri::AppHandle,
    path: String,
) -> Result<tauri::ipc::Response, CommandError> {
    let dir = screenshot_dir(&app)?;
    let path = PathBuf::from(path);
    let inside = path
        .canonicalize()
        .ok()
        .zip(dir.canonicalize().ok())
        .is_some_and(|(p, d)| p.starts_with(d));
    if !inside {
        return Err(CommandError::new(
            "screenshot.outside",
            "error.screenshot_unreadable",
            path.display(),
        ));
    }
    std::fs::read(&path)
        .map(tauri::ipc::Response::new)
        .map_err(|e| CommandError::new("screenshot.unreadable", "error.screenshot_unreadable", e))
}

/// Captures the monitor under `pointer` (or every monitor) as images.
pub fn capture_monitors(
    all: bool,
    pointer: Option<(i32, i32)>,
) -> Result<Vec<image::RgbaImage>, String> {
    let monitors = xcap::Monitor::all().map_err(|e| e.to_string())?;
    let chosen: Vec<xcap::Monitor> = if all {
        monitors
    } else {
        let under = pointer.and_then(|(x, y)| xcap::Monitor::from_point(x, y).ok());
        match under {
            Some(m) => vec![m],
            None => monitors
                .into_iter()
                .find(|m| m.is_primary().unwrap_or(false))
                .into_iter()
                .collect(),
        }
    };
    if chosen.is_empty() {
        return Err("no monitor found".into());
    }
    chosen
        .iter()
        .map(|m| m.capture_image().map_err(|e| e.to_string()))
        .collect()
}

/// Hides the window, captures, shows the window again and stores the images. The UI
/// counts down first so the admin can bring the console to the front.
#[tauri::command]
async fn capture_screen(
    app: tauri::AppHandle,
    window: tauri::Window,
    all: bool,
) -> Result<Vec<String>, CommandError> {
    let pointer = app.cursor_position().ok().map(|p| (p.x as i32, p.y as i32));
    let dir = screenshot_dir(&app)?;
    let _ = window.hide();
    // Give the window system a moment to take the window off the screen.
    std::thread::sleep(std::time::Duration::from_millis(400));
    let result =
        tauri::async_runtime::spawn_blocking(move || -> Result<Vec<String>, CommandError> {
            let images = capture_monitors(all, pointer)
                .map_err(|e| CommandError::new("screenshot.capture", "error.capture", e))?;
            let mut paths = Vec::new();
            for img in images {
                let mut png = Vec::new();
                image::DynamicImage::ImageRgba8(img)
                    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                    .map_err(|e| CommandError::new("screenshot.capture", "error.capture", e))?;
                paths.push(stored(doctor_core::screenshot::store(&png, &dir, false))?);
            }
            Ok(paths)
        })
        .await
        .map_err(|e| CommandError::new("internal", "error.capture", e))
        .and_then(|r| r);
    let _ = window.show();
    let _ = window.set_focus();
    result
}

/// What the Save step asks for.
#[derive(Debug, Clone, Deserialize)]
pub struct SaveRequest {
    pub lang: Lang,
    pub answers: SupportAnswers,
    pub screenshots: Vec<Screenshot>,
    /// Also the sensor's and the Apex One agent's logs.
    pub agent_logs: bool,
    /// Also the Basecamp logs (the user may untick them).
    pub basecamp_logs: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    pub outcome: BundleOutcome,
    /// The text of `inquiry.txt`, for "copy the text for support".
    pub inquiry: String,
}

/// Sends progress to the window, at most every 100 ms, and reads the cancel button.
struct ChannelProgress<'a> {
    channel: Channel<bundle::Progress>,
    cancel: &'a AtomicBool,
    last: Mutex<Option<std::time::Instant>>,
}

impl ProgressSink for ChannelProgress<'_> {
    fn update(&self, p: &bundle::Progress) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if p.files_done < p.files_total && last.is_some_and(|t| t.elapsed().as_millis() < 100) {
            return;
        }
        *last = Some(std::time::Instant::now());
        let _ = self.channel.send(p.clone());
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// Saves the support bundle of the last checks to the Desktop, reporting progress.
#[tauri::command]
async fn collect_bundle(
    app: tauri::AppHandle,
    request: SaveRequest,
    on_progress: Channel<bundle::Progress>,
) -> Result<Saved, CommandError> {
    let answers = request
        .answers
        .clone()
        .checked()
        .map_err(|e| CommandError::new("answers.business_id", e.message_key(), e.value()))?;
    tauri::async_runtime::spawn_blocking(move || {
        let session = app.state::<Session>();
        let diagnosis = session.last_diagnosis()?;
        let destination = bundle::default_destination().ok_or_else(|| {
            CommandError::new("bundle.no_destination", "error.no_destination", "")
        })?;
        let catalogue = Catalogue::embedded();
        let sources = if request.basecamp_logs {
            bundle::default_sources(&catalogue, &diagnosis, request.agent_logs)
        } else {
            Vec::new()
        };
        let req = bundle::BundleRequest {
            diagnosis: &diagnosis,
            catalogue: &catalogue,
            lang: request.lang,
            answers,
            sources,
            screenshots: request.screenshots.clone(),
            limits: bundle::Limits::default(),
            identity: session
                .identity
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        };
        session.cancel.store(false, Ordering::SeqCst);
        let sink = ChannelProgress {
            channel: on_progress,
            cancel: &session.cancel,
            last: Mutex::new(None),
        };
        let stem = bundle::names::bundle_stem(&diagnosis.os.hostname, &chrono::Local::now());
        let outcome = bundle::write_bundle(&req, &destination, &stem, &sink)
            .map_err(|e| CommandError::new("bundle.failed", e.message_key(), e))?;
        *session.saved.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome.path.clone());
        let inquiry = outcome.inquiry.clone();
        Ok(Saved { outcome, inquiry })
    })
    .await
    .map_err(|e| CommandError::new("internal", "bundle.error.write", e))?
}

/// The folders the bundle would collect and their sizes, for the review screen.
#[tauri::command]
fn bundle_preview(
    session: tauri::State<'_, Session>,
    agent_logs: bool,
) -> Result<Vec<bundle::SourcePreview>, CommandError> {
    let diagnosis = session.last_diagnosis()?;
    let catalogue = Catalogue::embedded();
    Ok(bundle::preview(&bundle::default_sources(
        &catalogue, &diagnosis, agent_logs,
    )))
}

/// "Compare several PCs": reads the chosen identity files, bundles or folders and groups
/// the endpoints that share an ID.
#[tauri::command]
async fn compare_endpoints(
    paths: Vec<String>,
) -> Result<doctor_core::fleet::FleetReport, CommandError> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    tauri::async_runtime::spawn_blocking(move || doctor_core::fleet::run(&paths))
        .await
        .map_err(|e| CommandError::new("internal", "ui.error.unexpected", e))
}

/// Writes the comparison as CSV where the user chose in the save dialog.
#[tauri::command]
fn export_fleet_csv(
    path: String,
    report: doctor_core::fleet::FleetReport,
) -> Result<(), CommandError> {
    std::fs::write(&path, doctor_core::fleet::to_csv(&report))
        .map_err(|e| CommandError::new("fleet.csv", "error.output", e))
}

#[tauri::command]
fn cancel_bundle(session: tauri::State<'_, Session>) {
    session.cancel.store(true, Ordering::SeqCst);
}

/// Shows the saved bundle in the file manager (selected where the OS allows it). Only the
/// bundle this session saved can be shown.
#[tauri::command]
fn reveal_bundle(session: tauri::State<'_, Session>) -> Result<(), CommandError> {
    let path = session
        .saved
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .ok_or_else(|| CommandError::new("bundle.none", "error.no_checks", ""))?;
    reveal::reveal(&path).map_err(|e| CommandError::new("reveal.failed", "error.reveal", e))
}

/// Starts the app again elevated (UAC) with the same arguments, for checks that need
/// administrator rights, and closes this window. Windows only.
#[tauri::command]
fn restart_elevated(app: tauri::AppHandle) -> Result<(), CommandError> {
    #[cfg(windows)]
    {
        windows::run_elevated()
            .map_err(|e| CommandError::new("elevate.failed", "error.elevate", e))?;
        app.exit(0);
        Ok(())
    }
    #[cfg(not(windows))]
    {
        let _ = app;
        Err(CommandError::new(
            "elevate.unsupported",
            "error.elevate",
            "Windows only",
        ))
    }
}

#[cfg(windows)]
mod windows {
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
}

pub fn run() {
    let options = Options::from_args(std::env::args().skip(1));
    #[cfg(windows)]
    if !windows::webview2_present() {
        // No window can open without WebView2 (Windows Server 2016/2019 may lack it): say
        // so plainly and point to the command-line tool, which needs none.
        let lang = Lang::from_os_locale(sys_locale::get_locale().as_deref());
        let locale = doctor_core::Locale::get(lang);
        windows::message_box(
            locale.text("app.title"),
            locale.text("app.webview2_missing"),
        );
        return;
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(options)
        .manage(Session::default())
        .invoke_handler(tauri::generate_handler![
            app_info,
            run_checks,
            list_regions,
            load_draft,
            save_draft,
            clear_draft,
            add_screenshot,
            collect_bundle,
            bundle_preview,
            cancel_bundle,
            reveal_bundle,
            restart_elevated,
            compare_endpoints,
            export_fleet_csv,
            store_screenshot,
            read_screenshot,
            capture_screen
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Basecamp Doctor window");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_flag_is_read_in_both_spellings() {
        let a = Options::from_args(["--scenario".into(), "x.json".into()]);
        assert_eq!(a.scenario, Some(PathBuf::from("x.json")));
        let b = Options::from_args(["--scenario=y.json".into()]);
        assert_eq!(b.scenario, Some(PathBuf::from("y.json")));
        assert!(Options::from_args(Vec::<String>::new()).scenario.is_none());
    }

    /// Runs only on a display (CI runs it under Xvfb with a patterned root window).
    #[test]
    #[ignore = "needs a display"]
    fn capture_gives_an_image_of_the_screen_with_real_pixels() {
        let images = capture_monitors(false, Some((10, 10))).expect("capture works");
        let img = &images[0];
        let expected: Vec<u32> = std::env::var("EXPECT_SCREEN")
            .unwrap_or_else(|_| "1366x768".into())
            .split('x')
            .filter_map(|n| n.parse().ok())
            .collect();
        assert_eq!(vec![img.width(), img.height()], expected);
        let first = img.get_pixel(0, 0);
        assert!(img.pixels().any(|p| p != first), "the capture is uniform");
        let all = capture_monitors(true, None).expect("capture of all monitors works");
        assert!(!all.is_empty());
    }

    #[test]
    fn an_unreadable_scenario_becomes_a_typed_error() {
        let opts = Options {
            scenario: Some(PathBuf::from("/nonexistent/scenario.json")),
        };
        let err = probe_for(&opts).err().expect("an error");
        assert_eq!(err.code, "scenario.unreadable");
        assert_eq!(err.message_key, "error.scenario");
    }
}
