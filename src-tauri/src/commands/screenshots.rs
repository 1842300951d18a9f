//! Screenshots for support: chosen in a dialog this command opens, sent as bytes (pasted,
//! dropped, annotated), read from the clipboard here (a paste whose event carried no image,
//! as on Linux) or captured from the screen. Everything is stored in the draft's
//! screenshot folder at once; only files inside that folder are ever read back.

use crate::error::{ErrorCode, Result};
use crate::session::draft_dir;
use doctor_core::screenshot;
use std::path::PathBuf;
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::DialogExt;

/// The draft's screenshot folder; the draft folder itself is made private first, since a
/// screenshot may be the first thing the draft holds.
fn screenshot_dir(app: &tauri::AppHandle) -> Result<PathBuf> {
    let draft = draft_dir(app)?;
    doctor_core::draft::create_private(&draft).map_err(|e| ErrorCode::Draft.with(e))?;
    Ok(doctor_core::draft::screenshot_dir(&draft))
}

/// Lets the user choose an image in the system dialog and stores a checked copy in the
/// draft. `None` when the dialog was closed. The path never comes from the web view.
#[tauri::command]
pub async fn choose_screenshot(app: tauri::AppHandle, title: String) -> Result<Option<String>> {
    let dir = screenshot_dir(&app)?;
    tauri::async_runtime::spawn_blocking(move || {
        let Some(picked) = app
            .dialog()
            .file()
            .set_title(title)
            .add_filter("PNG / JPEG", &["png", "jpg", "jpeg"])
            .blocking_pick_file()
        else {
            return Ok(None);
        };
        let path = picked
            .into_path()
            .map_err(|e| ErrorCode::ScreenshotUnreadable.with(e))?;
        let stored = screenshot::import(&path, &dir)?;
        Ok(Some(stored.path.display().to_string()))
    })
    .await?
}

/// Stores an image sent as the raw request body (pasted, dropped or annotated): checked,
/// scaled down if wider than 3840 px, saved as PNG in the draft folder.
#[tauri::command]
pub async fn store_screenshot(
    app: tauri::AppHandle,
    request: tauri::ipc::Request<'_>,
) -> Result<String> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(ErrorCode::ScreenshotNotImage.with("no image data"));
    };
    let bytes = bytes.clone();
    let dir = screenshot_dir(&app)?;
    let stored =
        tauri::async_runtime::spawn_blocking(move || screenshot::store(&bytes, &dir, false))
            .await??;
    Ok(stored.path.display().to_string())
}

/// Stores the image on the system clipboard, read here rather than in the web view: on
/// Linux (WebKitGTK) a paste event carries no image, and the page gets no clipboard access
/// of its own. The pixels go through the same checks, scaling and saving as a dropped file.
/// With no image on the clipboard (text, nothing) the error says so.
#[tauri::command]
pub async fn paste_screenshot(app: tauri::AppHandle) -> Result<String> {
    let dir = screenshot_dir(&app)?;
    // Never on the main thread: the clipboard read may wait for the owner of the selection.
    tauri::async_runtime::spawn_blocking(move || {
        let image = app.clipboard().read_image().map_err(clipboard_error)?;
        let stored =
            screenshot::store_rgba(image.width(), image.height(), image.rgba().to_vec(), &dir)?;
        Ok(stored.path.display().to_string())
    })
    .await?
}

/// What a failed clipboard read means for the admin. The plugin passes arboard's error on as
/// its text only, so the text is compared with arboard's own: "not available in the requested
/// format" is text or an empty clipboard, a conversion failure an image in a form that cannot
/// be read, and on X11 "incorrect type received" an owner that answered the request for an
/// image with its text anyway (xclip does; seen in the end-to-end test). In each case there
/// is no usable image. Anything else: the clipboard itself could not be read.
fn clipboard_error(e: tauri_plugin_clipboard_manager::Error) -> crate::error::Error {
    let detail = e.to_string();
    let no_image = [
        arboard::Error::ContentNotAvailable,
        arboard::Error::ConversionFailure,
        arboard::Error::Unknown {
            description: "incorrect type received from clipboard".into(),
        },
    ]
    .iter()
    .any(|kind| kind.to_string() == detail);
    if no_image {
        ErrorCode::ClipboardNoImage.with(detail)
    } else {
        ErrorCode::Clipboard.with(detail)
    }
}

/// The bytes of a stored screenshot, for its preview and the annotation editor.
#[tauri::command]
pub async fn read_screenshot(app: tauri::AppHandle, path: String) -> Result<tauri::ipc::Response> {
    let dir = screenshot_dir(&app)?;
    let bytes = tauri::async_runtime::spawn_blocking(move || {
        screenshot::read_stored(&dir, std::path::Path::new(&path))
    })
    .await??;
    Ok(tauri::ipc::Response::new(bytes))
}

/// Hides the window, captures, shows the window again and stores the images. The UI
/// counts down first so the admin can bring the console to the front.
#[tauri::command]
pub async fn capture_screen(
    app: tauri::AppHandle,
    window: tauri::Window,
    all: bool,
) -> Result<Vec<String>> {
    let pointer = app.cursor_position().ok().map(|p| (p.x as i32, p.y as i32));
    let dir = screenshot_dir(&app)?;
    let _ = window.hide();
    let result = tauri::async_runtime::spawn_blocking(move || {
        // Give the window system a moment to take the window off the screen.
        std::thread::sleep(std::time::Duration::from_millis(400));
        screenshot::capture(all, pointer, &dir)
    })
    .await;
    let _ = window.show();
    let _ = window.set_focus();
    Ok(result??
        .into_iter()
        .map(|s| s.path.display().to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::clipboard_error;
    use crate::error::ErrorCode;
    use tauri_plugin_clipboard_manager::Error as ClipboardError;

    #[test]
    fn a_clipboard_without_an_image_is_told_as_such() {
        for kind in [
            arboard::Error::ContentNotAvailable,
            arboard::Error::ConversionFailure,
            // X11: the owner answered the request for an image with text (xclip does).
            arboard::Error::Unknown {
                description: "incorrect type received from clipboard".into(),
            },
        ] {
            let e = clipboard_error(ClipboardError::from(kind));
            assert_eq!(e.code, ErrorCode::ClipboardNoImage, "{}", e.message);
        }
        for kind in [
            arboard::Error::ClipboardOccupied,
            arboard::Error::ClipboardNotSupported,
            arboard::Error::Unknown {
                description: "X11 server connection timed out".into(),
            },
        ] {
            let e = clipboard_error(ClipboardError::from(kind));
            assert_eq!(e.code, ErrorCode::Clipboard, "{}", e.message);
        }
    }

    /// Runs only on a display (CI runs it under Xvfb with a patterned root window).
    #[test]
    #[ignore = "needs a display"]
    fn capture_gives_an_image_of_the_screen_with_real_pixels() {
        let images = doctor_core::screenshot::capture_monitors(false, Some((10, 10)))
            .expect("capture works");
        let img = &images[0];
        let expected: Vec<u32> = std::env::var("EXPECT_SCREEN")
            .unwrap_or_else(|_| "1366x768".into())
            .split('x')
            .filter_map(|n| n.parse().ok())
            .collect();
        assert_eq!(vec![img.width(), img.height()], expected);
        let first = img.get_pixel(0, 0);
        assert!(img.pixels().any(|p| p != first), "the capture is uniform");
        let all =
            doctor_core::screenshot::capture_monitors(true, None).expect("capture of all works");
        assert!(!all.is_empty());
    }
}
