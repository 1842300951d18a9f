//! The proxy Windows itself chooses for a URL under a proxy auto-configuration script:
//! WinHTTP fetches and runs the script (`WinHttpGetProxyForUrl`), as the agent's own HTTP
//! stack would, so the proxy tested for each Vision One URL is the one really used. Off
//! Windows nothing is evaluated; the script is only reported.

/// What the script decided for one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacChoice {
    Direct,
    /// The first proxy of the script's answer (`PROXY a:8080; PROXY b:8080` → `a:8080`).
    Proxy {
        proxy: String,
        bypass: Option<String>,
    },
}

/// Runs the script at `pac_url` for `url` through WinHTTP. Blocks for as long as WinHTTP
/// takes to fetch and run the script: call it where a time bound is enforced.
#[cfg(windows)]
#[allow(unsafe_code)]
pub fn proxy_for_url(pac_url: &str, url: &str) -> Result<PacChoice, String> {
    use std::ptr::null;
    use windows_sys::Win32::Foundation::{GetLastError, GlobalFree};
    use windows_sys::Win32::Networking::WinHttp::{
        WinHttpCloseHandle, WinHttpGetProxyForUrl, WinHttpOpen, WINHTTP_ACCESS_TYPE_NAMED_PROXY,
        WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_AUTOPROXY_CONFIG_URL, WINHTTP_AUTOPROXY_OPTIONS,
        WINHTTP_PROXY_INFO,
    };
    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }
    /// Reads and frees a string WinHTTP allocated with GlobalAlloc.
    fn take(p: *mut u16) -> Option<String> {
        if p.is_null() {
            return None;
        }
        // SAFETY: WinHTTP returns a NUL-terminated UTF-16 string it allocated; we read up to
        // the NUL and free it once with GlobalFree, as its documentation requires.
        unsafe {
            let mut len = 0;
            while *p.add(len) != 0 {
                len += 1;
            }
            let text = String::from_utf16_lossy(std::slice::from_raw_parts(p, len));
            GlobalFree(p.cast());
            Some(text)
        }
    }
    let agent = wide("basecamp-doctor");
    let script = wide(pac_url);
    let target = wide(url);
    // SAFETY: every pointer passed is either null where the API allows it or points into
    // a NUL-terminated buffer that outlives the call; the session handle is closed once.
    unsafe {
        let session = WinHttpOpen(
            agent.as_ptr(),
            WINHTTP_ACCESS_TYPE_NO_PROXY,
            null(),
            null(),
            0,
        );
        if session.is_null() {
            return Err(format!("WinHttpOpen failed (error {})", GetLastError()));
        }
        let mut options: WINHTTP_AUTOPROXY_OPTIONS = std::mem::zeroed();
        options.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL;
        options.lpszAutoConfigUrl = script.as_ptr();
        options.fAutoLogonIfChallenged = 1;
        let mut info: WINHTTP_PROXY_INFO = std::mem::zeroed();
        let ok = WinHttpGetProxyForUrl(session, target.as_ptr(), &mut options, &mut info);
        let error = GetLastError();
        WinHttpCloseHandle(session);
        if ok == 0 {
            return Err(format!(
                "WinHTTP could not run the script {pac_url} for {url} (error {error})"
            ));
        }
        let proxy = take(info.lpszProxy);
        let bypass = take(info.lpszProxyBypass);
        Ok(match (info.dwAccessType, proxy) {
            (WINHTTP_ACCESS_TYPE_NAMED_PROXY, Some(list)) => {
                first_proxy(&list).map_or(PacChoice::Direct, |proxy| PacChoice::Proxy {
                    proxy,
                    bypass,
                })
            }
            _ => PacChoice::Direct,
        })
    }
}

#[cfg(not(windows))]
pub fn proxy_for_url(pac_url: &str, _url: &str) -> Result<PacChoice, String> {
    Err(format!(
        "{pac_url}: proxy scripts are evaluated on Windows only"
    ))
}

/// The first entry of WinHTTP's proxy list (`a:8080;b:8080`, or `PROXY a:8080` as a
/// script writes it); `None` when it names none.
pub fn first_proxy(list: &str) -> Option<String> {
    list.split([';', ' ', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("PROXY"))
        .find(|e| !e.eq_ignore_ascii_case("DIRECT"))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_proxy_of_an_answer_is_taken() {
        assert_eq!(
            first_proxy("proxy1:8080;proxy2:8080").as_deref(),
            Some("proxy1:8080")
        );
        assert_eq!(
            first_proxy("PROXY p:3128; DIRECT").as_deref(),
            Some("p:3128")
        );
        assert_eq!(first_proxy("DIRECT"), None);
    }
}
