#!/usr/bin/env bash
# Installs what Basecamp Doctor needs on Debian 12, and nothing that is already there.
#   scripts/setup.sh run    what building and running the app needs
#   scripts/setup.sh test   that, plus what the whole test suite needs (Xvfb, WebDriver,
#                           mingw-w64 and the Windows/macOS Rust targets, tauri-driver)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

packages=(build-essential pkg-config curl file ca-certificates libssl-dev
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  fonts-noto-cjk
  libpipewire-0.3-dev libclang-dev libxcb1-dev libxcb-randr0-dev libdbus-1-dev libwayland-dev
  libegl-dev libgbm-dev)
if [ "$mode" = "test" ]; then
  packages+=(xvfb xauth webkit2gtk-driver gcc-mingw-w64-x86-64 clang llvm unzip zip time chromium wine wine64 imagemagick
    python3 python3-venv)
  # The network tests start their own squid (forward proxy, basic auth, deny list, ssl-bump
  # for TLS inspection: the OpenSSL build, which replaces the plain squid package) on loopback.
  packages+=(squid-openssl openssl)
  # The firewall tests add nftables rules of their own (skipped without CAP_NET_ADMIN).
  packages+=(nftables)
  # The end-to-end paste test puts a screenshot (and text) on the X clipboard.
  packages+=(xclip)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is needed for the UI build (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

if [ "$mode" = "test" ]; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  installed_targets="$(rustup target list --installed)"
  for t in x86_64-pc-windows-gnu aarch64-apple-darwin; do
    grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
  done
  # The deploy/ recipes' tests: ansible-core runs the playbook against this machine, and
  # tree-sitter's PowerShell grammar parses the .ps1 scripts (pwsh is not installable).
  venv=/var/cache/basecamp-doctor/ansible
  if ! "$venv/bin/python3" -c 'import ansible, tree_sitter, tree_sitter_powershell' 2>/dev/null; then
    echo "setup: installing ansible-core and tree-sitter-powershell into $venv"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check ansible-core tree-sitter tree-sitter-powershell
  fi
  if ! command -v tauri-driver >/dev/null; then
    echo "setup: installing tauri-driver"
    cargo install tauri-driver --locked --quiet
  fi
fi

# npm ci only when the lock file changed since the last install, and never through a
# linked node_modules (a second checkout borrowing another's install: npm ci would empty it).
stamp=node_modules/.package-lock.json
if [ -L node_modules ]; then
  echo "setup: node_modules is a link to another checkout's install; not reinstalling"
elif [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
