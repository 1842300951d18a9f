#!/usr/bin/env bash
# Builds the portable Windows download: one zip with the app, WebView2Loader.dll beside
# it, the command-line tool and a short read-me. Nothing to install on a sick endpoint.
#   bash scripts/package-windows.sh      → dist/basecamp-doctor-<version>-windows-x64.zip
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
npm run --silent ui:build >/dev/null
target_dir="${CARGO_TARGET_DIR:-target}"
triple=x86_64-pc-windows-gnu
# Optimised for size: the download is what a sick endpoint fetches (12.9 MB instead of
# 17.4 MB for the app); the work it does waits on disks and the network, not the CPU.
CARGO_PROFILE_RELEASE_OPT_LEVEL=s cargo build --release --quiet --target "$triple" -p doctor-cli -p basecamp-doctor-app
rel="$target_dir/$triple/release"
version=$(cargo metadata --no-deps --format-version 1 | python3 -c "import json,sys; print(next(p['version'] for p in json.load(sys.stdin)['packages'] if p['name']=='doctor-cli'))")
stage="$(mktemp -d)/basecamp-doctor-$version"
mkdir -p "$stage"
cp "$rel/basecamp-doctor-app.exe" "$stage/BasecampDoctor.exe"
cp "$rel/basecamp-doctor.exe" "$stage/basecamp-doctor.exe"
loader=$(find "$rel" -name WebView2Loader.dll -path "*x64*" -print -quit)
[ -n "$loader" ] || loader=$(find "$rel" -name WebView2Loader.dll -print -quit)
[ -n "$loader" ] || { echo "package: WebView2Loader.dll was not built" >&2; exit 1; }
cp "$loader" "$stage/WebView2Loader.dll"
cat > "$stage/README.txt" <<'TXT'
Basecamp Doctor — portable / ポータブル版

[日本語]
1. この zip をトラブルが起きている端末の任意のフォルダに展開します(インストール不要)。
2. BasecampDoctor.exe をダブルクリックします。画面の案内に沿って確認し、サポート用の資料を
   デスクトップに保存します。管理者権限が必要な項目は、画面から管理者として再起動できます。
3. 画面が開かない場合(Windows Server 2016/2019 など Microsoft Edge WebView2 ランタイムが
   ない環境)は、同じフォルダの basecamp-doctor.exe をコマンドプロンプトから使用してください:
     basecamp-doctor.exe check --lang ja
     basecamp-doctor.exe bundle --lang ja --business-id <ビジネスID>
   WebView2Loader.dll は BasecampDoctor.exe と同じフォルダに置いたままにしてください。
この端末から送信されるのは、確認対象の Vision One ホストへの診断用の接続だけです。

[English]
1. Unzip anywhere on the affected endpoint; nothing is installed.
2. Double-click BasecampDoctor.exe, follow the steps, and save the support bundle to the
   Desktop. Items that need administrator rights offer to restart the app elevated.
3. If the window does not open (no Microsoft Edge WebView2 Runtime, e.g. Windows Server
   2016/2019), use basecamp-doctor.exe from a command prompt in this folder:
     basecamp-doctor.exe check --lang en
     basecamp-doctor.exe bundle --lang en --business-id <Business ID>
   Keep WebView2Loader.dll next to BasecampDoctor.exe.
The only connections made are the diagnostic ones to the Vision One hosts being tested.
TXT
mkdir -p dist
out="dist/basecamp-doctor-$version-windows-x64.zip"
rm -f "$out"
(cd "$(dirname "$stage")" && zip -q -r -9 "$OLDPWD/$out" "$(basename "$stage")")
rm -rf "$(dirname "$stage")"
python3 -c "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print('\n'.join(f'{i.file_size:>10}  {i.filename}' for i in z.infolist()))" "$out"
echo "package: $out ($(stat -c %s "$out") bytes)"
