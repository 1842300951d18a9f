//! The Tauri v2 shell of Basecamp Doctor: it builds the app and nothing else. The
//! commands are in [`commands`] (one module per job), their one error type in [`error`],
//! what they share in [`session`]. No diagnosis logic and no user-facing text live here:
//! the engine decides, the UI renders locale keys.

pub mod commands;
pub mod error;
mod reveal;
pub mod session;
mod window;
#[cfg(windows)]
mod windows;

use commands::{bundle, checks, draft, fleet, inventory, note, screenshots};
pub use session::Options;

pub fn run() {
    let options = Options::from_args(std::env::args().skip(1));
    #[cfg(windows)]
    if !windows::webview2_present() {
        // No window can open without WebView2 (Windows Server 2016/2019 may lack it): say
        // so plainly and point to the command-line tool, which needs none.
        let lang = doctor_core::Lang::from_os_locale(sys_locale::get_locale().as_deref());
        let locale = doctor_core::Locale::get(lang);
        windows::message_box(
            locale.text("app.title"),
            locale.text("app.webview2_missing"),
        );
        return;
    }
    tauri::Builder::default()
        .setup(|app| {
            window::enlarge_if_room(app);
            Ok(())
        })
        .plugin(tauri_plugin_dialog::init())
        // Used only from Rust (`paste_screenshot`): capabilities/ grant the web view none of
        // its commands, so the page can neither read nor write the clipboard through it.
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(options)
        .manage(session::Session::default())
        .manage(fleet::LastComparison::default())
        .invoke_handler(tauri::generate_handler![
            checks::app_info,
            checks::run_checks,
            checks::cancel_checks,
            checks::list_regions,
            checks::restart_elevated,
            draft::load_draft,
            draft::save_draft,
            draft::clear_draft,
            screenshots::choose_screenshot,
            screenshots::store_screenshot,
            screenshots::read_screenshot,
            screenshots::capture_screen,
            screenshots::paste_screenshot,
            bundle::collect_bundle,
            bundle::bundle_preview,
            bundle::cancel_bundle,
            bundle::reveal_bundle,
            fleet::compare_endpoints,
            fleet::clear_comparison,
            fleet::export_fleet_csv,
            inventory::check_inventory,
            inventory::list_api_regions,
            note::network_note,
            note::save_network_note,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Basecamp Doctor window");
}
