#!/usr/bin/env bash
# Wine smoke test of the real Windows probe: builds basecamp-doctor.exe and a dummy
# EndpointBasecamp.exe, lays out a 64-bit Trend Micro install in a fresh Wine prefix
# (folders, logs, registry values), then runs `check --json` and `bundle --json` under
# Wine and asserts the probe saw the process, the registry and the log folder, and that
# the zip is valid; then stops the dummy and asserts the process finding turns into a
# problem. Runs alone: bash tests/windows/wine-smoke.sh (installs what it needs).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/windows

need=()
for p in wine wine64 gcc-mingw-w64-x86-64 python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "wine-smoke: installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
rustup target list --installed | grep -qx x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu

target_dir="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --target x86_64-pc-windows-gnu -p doctor-cli
exe="$target_dir/x86_64-pc-windows-gnu/debug/basecamp-doctor.exe"

work="$(mktemp -d /tmp/wine-smoke.XXXXXX)"
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
cleanup() { wineserver -k >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

x86_64-w64-mingw32-gcc -O2 -o "$work/EndpointBasecamp.exe" "$here/dummy_basecamp.c"
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" "$here/bcryptprimitives.c" -ladvapi32

echo "wine-smoke: creating the prefix"
wineboot -i >/dev/null 2>&1
wineserver -w
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

# The 64-bit layout of an endpoint with Basecamp and an on-premises Apex One agent.
base="$WINEPREFIX/drive_c/Program Files (x86)/Trend Micro/Endpoint Basecamp"
mkdir -p "$base/log"
cp "$work/EndpointBasecamp.exe" "$base/EndpointBasecamp.exe"
printf '2026-11-20 08:01:12 [INFO] connecting to https://api-ap2.xbc.trendmicro.com/v1\n' > "$base/log/EndpointBasecamp.log"
printf 'proxy=http://alice:secret@proxy.corp:8080\n' > "$base/log/xbc_update.log"
wine reg add 'HKLM\SOFTWARE\WOW6432Node\TrendMicro\TMSecurityService' /v xdr_device_id /t REG_SZ /d 'wine-smoke-device-0001' /f >/dev/null
wine reg add 'HKLM\SOFTWARE\WOW6432Node\TrendMicro\PC-cillinNTCorp\CurrentVersion' /v GUID /t REG_SZ /d 'a0b1c2d3-e4f5-4607-8899-aabbccddeeff' /f >/dev/null
wine reg add 'HKLM\SOFTWARE\WOW6432Node\TrendMicro\PC-cillinNTCorp\CurrentVersion' /v Server /t REG_SZ /d 'apexone01.corp.example' /f >/dev/null
wine reg add 'HKLM\SYSTEM\Setup\Status\SysprepStatus' /v GeneralizationState /t REG_DWORD /d 7 /f >/dev/null
wine reg add 'HKLM\SYSTEM\Setup' /v CloneTag /t REG_MULTI_SZ /d 'Tue Nov 10 09:00:00 2026' /f >/dev/null
wineserver -w

echo "wine-smoke: starting the dummy EndpointBasecamp.exe"
wine "C:\\Program Files (x86)\\Trend Micro\\Endpoint Basecamp\\EndpointBasecamp.exe" &
dummy=$!
sleep 3

cp "$exe" "$work/basecamp-doctor.exe"
run() { (cd "$work" && wine ./basecamp-doctor.exe "$@") ; }
set +e
run check --json --no-network --lang en > "$work/check1.json"
code1=$?
mkdir -p "$WINEPREFIX/drive_c/out"
run bundle --json --no-network --lang en --out 'C:\out' > "$work/bundle.json"
code2=$?
run identity --out 'C:\identity.json'
code4=$?
set -e

kill "$dummy" 2>/dev/null || true
wine taskkill /f /im EndpointBasecamp.exe >/dev/null 2>&1 || true
sleep 2
set +e
run check --json --no-network --lang en > "$work/check2.json"
code3=$?
set -e

python3 - "$work" "$code1" "$code2" "$code3" "$code4" <<'PY'
import json, sys, zipfile, pathlib
work = pathlib.Path(sys.argv[1]); codes = sys.argv[2:]
results = []
def check(name, cond, detail=""):
    results.append(cond)
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else f": {detail}"))

c1 = json.loads((work / "check1.json").read_text(encoding="utf-8"))
by = {f["id"]: f for f in c1["findings"]}
check("check ran under Wine", codes[0] in ("0", "1", "2"), codes[0])
check("the Windows probe reports Windows", c1["os"]["platform"] == "windows", c1["os"])
p = by["agent.basecamp.process"]
check("the process EndpointBasecamp.exe is found", p["status"] == "pass" and any("EndpointBasecamp.exe" in e["value"] for e in p["evidence"]), p)
r = by["agent.registration"]
check("xdr_device_id is read from the WOW6432Node key", r["status"] == "pass" and any(e["value"] == "wine-smoke-device-0001" for e in r["evidence"]), r)
a = c1["coexistence"]["apex_one"]
check("the Apex One registry values are read", a and a["server"] == "apexone01.corp.example" and a["management"] == "on_premises", a)
arch = by["system.architecture"]
check("the 64-bit log folder is chosen", any(e["value"].endswith("Program Files (x86)\\Trend Micro\\Endpoint Basecamp\\log") for e in arch["evidence"]), arch)

b = json.loads((work / "bundle.json").read_text(encoding="utf-8"))
check("bundle ran under Wine", codes[1] == "0", codes[1])
zpath = work / "prefix" / "drive_c" / "out" / pathlib.PureWindowsPath(b["path"]).name
with zipfile.ZipFile(zpath) as z:
    check("the zip verifies", z.testzip() is None)
    names = z.namelist()
    check("the Basecamp log folder was collected", "logs/basecamp/EndpointBasecamp.log" in names, names)
    check("credentials were masked", b"secret" not in z.read("logs/basecamp/xbc_update.log"))
    m = json.loads(z.read("manifest.json"))
    check("the manifest names the original Windows path", any(f["original_path"].endswith("EndpointBasecamp.log") and "\\" in f["original_path"] for f in m["files"]), m["files"])

check("identity ran under Wine", codes[3] == "0", codes[3])
ident = json.loads((work / "prefix" / "drive_c" / "identity.json").read_text(encoding="utf-8"))
check("identity holds the agent ID and the Apex One GUID", ident["xdr_device_id"] == "wine-smoke-device-0001" and ident["apex_one_guid"] == "a0b1c2d3-e4f5-4607-8899-aabbccddeeff", ident)
check("identity reads Windows' MachineGuid", bool(ident.get("machine_guid")), ident)
check("identity sees the image traces", ident["clone_signs"] == ["sysprep_generalized", "clone_tag"], ident)
cr = by.get("identity.clone_risk")
check("the clone risk is a warning with image traces", cr is not None and cr["status"] == "warn", cr)
check("the bundle's manifest carries the identity", m.get("identity", {}).get("xdr_device_id") == "wine-smoke-device-0001", m.get("identity"))

c2 = json.loads((work / "check2.json").read_text(encoding="utf-8"))
p2 = {f["id"]: f for f in c2["findings"]}["agent.basecamp.process"]
check("with the dummy stopped, the process finding is a problem", p2["status"] == "fail" and p2["message_key"] == "agent.basecamp.process.stopped", p2)

passed = sum(results)
print(f"wine-smoke: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
PY
