//! Running the checks, the facts about the app the window shows first, and restarting
//! elevated when checks were denied.

use crate::error::{ErrorCode, Result};
use crate::session::{lock, Options, Session};
use doctor_core::netfacts::NetEvent;
use doctor_core::network::{Cancel, Observer};
use doctor_core::probe::ProbeSource;
use doctor_core::{Catalogue, Diagnosis, Lang, NetworkOptions};
use serde::Serialize;
use tauri::ipc::Channel;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppInfo {
    pub version: String,
    /// `ja` or `en`, from the OS locale.
    pub system_lang: Lang,
    pub source: ProbeSource,
    /// Where the bundle goes by default (the Desktop).
    pub destination: Option<String>,
}

/// Off the main thread: finding the Desktop may touch a redirected (network) folder.
#[tauri::command]
pub async fn app_info(options: tauri::State<'_, Options>) -> Result<AppInfo> {
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
    let destination = tauri::async_runtime::spawn_blocking(|| {
        doctor_core::bundle::default_destination().map(|d| d.display().to_string())
    })
    .await?;
    Ok(AppInfo {
        version: doctor_core::VERSION.to_owned(),
        system_lang: Lang::from_os_locale(sys_locale::get_locale().as_deref()),
        source,
        destination,
    })
}

/// Runs every check, step 2 included for `region` (`None`: detect it from the agent's
/// files), through `proxy` when given (`None`: the system's) or a Service Gateway, with
/// the hosts the user added, off the main thread: reading processes and services takes a
/// moment. Step 2's progress goes to `on_progress` as each stage of each host ends;
/// [`cancel_checks`] stops it, and the diagnosis then says step 2 was not checked.
#[allow(clippy::too_many_arguments)]
#[tauri::command]
pub async fn run_checks(
    options: tauri::State<'_, Options>,
    session: tauri::State<'_, Session>,
    region: Option<String>,
    proxy: Option<String>,
    service_gateway: Option<String>,
    hosts: Option<Vec<String>>,
    on_progress: Channel<NetEvent>,
) -> Result<Diagnosis> {
    let hosts = hosts.unwrap_or_default();
    if let Some(code) = &region {
        if Catalogue::embedded().region(code).is_none() {
            return Err(ErrorCode::RegionUnknown.with(code));
        }
    }
    let mut network = network_options(region, proxy, service_gateway, &hosts)?;
    let cancel = Cancel::new();
    network.config.cancel = cancel.clone();
    network.config.observer = Observer::new(move |event| {
        // A window that went away does not stop the checks.
        let _ = on_progress.send(event);
    });
    // A run started while another runs stops the older one: only the newest is shown.
    if let Some(older) = lock(&session.checks_cancel).replace(cancel.clone()) {
        older.cancel();
    }
    let engine_options = doctor_core::Options {
        source: options.source(),
        catalogue: None,
        network: Some(network),
    };
    let diagnosis =
        tauri::async_runtime::spawn_blocking(move || doctor_core::diagnose(&engine_options)).await;
    let latest = {
        let mut running = lock(&session.checks_cancel);
        let latest = running.as_ref().is_some_and(|c| c.same(&cancel));
        if latest {
            *running = None;
        }
        latest
    };
    let diagnosis = diagnosis??;
    // A run a newer one replaced must not become what the bundle is made from.
    if latest {
        *lock(&session.diagnosis) = Some(diagnosis.clone());
    }
    Ok(diagnosis)
}

/// Stops the checks running now (the network test of step 2): hosts not tested yet are
/// reported as not tested, and step 2 as not checked. Nothing happens when none runs.
#[tauri::command]
pub fn cancel_checks(session: tauri::State<'_, Session>) {
    if let Some(running) = lock(&session.checks_cancel).as_ref() {
        running.cancel();
    }
}

/// Step 2's settings from the window: an empty proxy or gateway field means none (the
/// system's proxy); each added host is `NAME:PORT`, and a malformed one is refused.
pub fn network_options(
    region: Option<String>,
    proxy: Option<String>,
    service_gateway: Option<String>,
    hosts: &[String],
) -> Result<NetworkOptions> {
    let given = |v: Option<String>| v.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
    let mut extra_hosts = Vec::new();
    for h in hosts.iter().map(|h| h.trim()).filter(|h| !h.is_empty()) {
        extra_hosts.push(
            doctor_core::network::parse_target(h).ok_or_else(|| ErrorCode::HostInvalid.with(h))?,
        );
    }
    Ok(NetworkOptions {
        region,
        proxy: given(proxy),
        service_gateway: given(service_gateway),
        extra_hosts,
        ..NetworkOptions::default()
    })
}

/// The regions the user can choose, in the catalogue's order.
#[tauri::command]
pub fn list_regions() -> Vec<String> {
    Catalogue::embedded()
        .network
        .regions
        .into_iter()
        .map(|r| r.code)
        .collect()
}

/// Starts the app again elevated (UAC) with the same arguments, for checks that need
/// administrator rights, and closes this window. Windows only. Off the main thread: the
/// call returns only once the UAC prompt is answered.
#[tauri::command]
pub async fn restart_elevated(app: tauri::AppHandle) -> Result<()> {
    #[cfg(windows)]
    {
        tauri::async_runtime::spawn_blocking(crate::windows::run_elevated)
            .await?
            .map_err(|e| ErrorCode::Elevate.with(e))?;
        app.exit(0);
        Ok(())
    }
    #[cfg(not(windows))]
    {
        let _ = app;
        Err(ErrorCode::Elevate.with("Windows only"))
    }
}

#[cfg(test)]
mod tests {
    use super::network_options;

    #[test]
    fn the_proxy_field_reaches_step_2_and_empty_means_the_systems() {
        let o = network_options(
            Some("jp".into()),
            Some(" proxy.example:8080 ".into()),
            None,
            &[],
        )
        .unwrap();
        assert_eq!(o.region.as_deref(), Some("jp"));
        assert_eq!(o.proxy.as_deref(), Some("proxy.example:8080"));
        let none = |p: Option<String>| network_options(None, p, None, &[]).unwrap().proxy;
        assert_eq!(none(Some("  ".into())), None);
        assert_eq!(none(None), None);
    }

    #[test]
    fn the_gateway_and_added_hosts_reach_step_2_and_a_bad_host_is_refused() {
        let hosts = vec![
            "sg01.corp.local:8443".to_owned(),
            " ".to_owned(),
            "[::1]:443".to_owned(),
        ];
        let o = network_options(None, None, Some(" sg01.corp.local ".into()), &hosts).unwrap();
        assert_eq!(o.service_gateway.as_deref(), Some("sg01.corp.local"));
        let got: Vec<(&str, u16)> = o
            .extra_hosts
            .iter()
            .map(|h| (h.host.as_str(), h.port))
            .collect();
        assert_eq!(got, [("sg01.corp.local", 8443), ("::1", 443)]);
        for bad in ["no-port", "a b:443", "x\r\nHost: evil:443"] {
            let err = network_options(None, None, None, &[bad.to_owned()]).unwrap_err();
            assert_eq!(err.code, super::ErrorCode::HostInvalid, "{bad}");
        }
    }
}
