fn main() {
    // Our own commands need an explicit grant in capabilities/ (allow-run-checks, ...).
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "run_checks",
        "cancel_checks",
        "list_regions",
        "load_draft",
        "save_draft",
        "clear_draft",
        "choose_screenshot",
        "collect_bundle",
        "bundle_preview",
        "cancel_bundle",
        "reveal_bundle",
        "restart_elevated",
        "compare_endpoints",
        "export_fleet_csv",
        "clear_comparison",
        "store_screenshot",
        "read_screenshot",
        "capture_screen",
        "paste_screenshot",
        "check_inventory",
        "list_api_regions",
        "network_note",
        "save_network_note",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run the Tauri build script");
}
