//! The draft that keeps what the user typed, chosen or captured (see `doctor_core::draft`).

use crate::error::{ErrorCode, Result};
use crate::session::draft_dir;

/// The saved draft, if any.
#[tauri::command]
pub async fn load_draft(app: tauri::AppHandle) -> Result<Option<serde_json::Value>> {
    let dir = draft_dir(&app)?;
    tauri::async_runtime::spawn_blocking(move || doctor_core::draft::load(&dir))
        .await?
        .map_err(|e| ErrorCode::Draft.with(e))
}

/// Saves the draft atomically, so a crash keeps the last one.
#[tauri::command]
pub async fn save_draft(app: tauri::AppHandle, draft: serde_json::Value) -> Result<()> {
    let dir = draft_dir(&app)?;
    tauri::async_runtime::spawn_blocking(move || doctor_core::draft::save(&dir, &draft))
        .await?
        .map_err(|e| ErrorCode::Draft.with(e))
}

/// "Start over": removes the draft and its screenshots.
#[tauri::command]
pub async fn clear_draft(app: tauri::AppHandle) -> Result<()> {
    let dir = draft_dir(&app)?;
    tauri::async_runtime::spawn_blocking(move || doctor_core::draft::clear(&dir))
        .await?
        .map_err(|e| ErrorCode::Draft.with(e))
}
