//! The window opens at 1080x600 (tauri.conf.json), which fits every supported screen; on a
//! screen with room to spare it is made larger at start, so less of each step scrolls.

/// The larger size the window takes when the screen allows it (logical pixels).
pub const LARGE: (f64, f64) = (1280.0, 800.0);
/// Room left around the window for the taskbar and the title bar.
const MARGIN: (f64, f64) = (40.0, 100.0);

/// The size to open at on a screen of `screen` logical pixels: the larger one when it fits
/// with room to spare, otherwise none (keep the default).
pub fn larger_size(screen: (f64, f64)) -> Option<(f64, f64)> {
    (screen.0 >= LARGE.0 + MARGIN.0 && screen.1 >= LARGE.1 + MARGIN.1).then_some(LARGE)
}

/// Enlarges and centres the main window when its screen allows; any failure keeps the
/// default size (nothing here is worth not opening the window for).
pub fn enlarge_if_room(app: &tauri::App) {
    use tauri::Manager;
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let Ok(Some(monitor)) = window.current_monitor() else {
        return;
    };
    let logical = monitor.size().to_logical::<f64>(monitor.scale_factor());
    if let Some((w, h)) = larger_size((logical.width, logical.height)) {
        let _ = window.set_size(tauri::LogicalSize::new(w, h));
        let _ = window.center();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_grows_only_on_screens_with_room() {
        assert_eq!(larger_size((1920.0, 1080.0)), Some(LARGE));
        // 1366x768 at 125 %: 1093x614 logical; and 1280x720: both keep the default.
        assert_eq!(larger_size((1093.0, 614.0)), None);
        assert_eq!(larger_size((1280.0, 720.0)), None);
        assert_eq!(larger_size((1440.0, 900.0)), Some(LARGE));
    }
}
