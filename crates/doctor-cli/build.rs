//! On Windows targets: the exe's icon, version information and manifest (asInvoker: the
//! CLI never asks for elevation by itself).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../icons/icon.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR is set"));
    let version = env!("CARGO_PKG_VERSION");
    let nums: Vec<u16> = version
        .split(['.', '-'])
        .take(3)
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let (a, b, c) = (
        nums[0],
        nums.get(1).copied().unwrap_or(0),
        nums.get(2).copied().unwrap_or(0),
    );
    let icon = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../icons/icon.ico");
    let manifest = out.join("basecamp-doctor.exe.manifest");
    std::fs::write(
        &manifest,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security><requestedPrivileges>
      <requestedExecutionLevel level="asInvoker" uiAccess="false"/>
    </requestedPrivileges></security>
  </trustInfo>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application><supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/></application>
  </compatibility>
</assembly>
"#,
    )
    .expect("manifest written");
    let rc = out.join("basecamp-doctor.rc");
    let escape = |p: &std::path::Path| p.display().to_string().replace('\\', "/");
    std::fs::write(
        &rc,
        format!(
            r#"1 ICON "{icon}"
1 24 "{manifest}"
1 VERSIONINFO
FILEVERSION {a},{b},{c},0
PRODUCTVERSION {a},{b},{c},0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Basecamp Doctor"
      VALUE "FileDescription", "Basecamp Doctor (command line)"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "basecamp-doctor"
      VALUE "OriginalFilename", "basecamp-doctor.exe"
      VALUE "ProductName", "Basecamp Doctor"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#,
            icon = escape(&icon),
            manifest = escape(&manifest),
        ),
    )
    .expect("resource script written");
    embed_resource::compile(&rc, embed_resource::NONE)
        .manifest_optional()
        .expect("resources compiled");
}
