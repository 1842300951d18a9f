<#
.SYNOPSIS
  Configuration Manager configuration item: discovery script for Basecamp Doctor.

.DESCRIPTION
  Setting type "Script", data type "String", discovery script = this file (64-bit,
  run as the local system). Compliance rule: "The value returned by the specified script"
  Equals "pass" (or "One of" "pass;warn" to tolerate warnings); tick "Report noncompliance
  if this setting instance is not found". The value is the verdict: pass, warn or fail,
  or "not-run" when the CLI is missing. A discovery script takes no parameters: edit the
  values below. With a share set, the collect file is written there too.
#>
$DoctorPath = Join-Path $env:ProgramFiles 'Basecamp Doctor\basecamp-doctor.exe'
$Region = ''          # us, eu, jp, sg, au, in, mea; empty = read from the agent
$Share = ''           # e.g. \\fs01\basecamp$ ; empty = a temporary folder, removed after

$ErrorActionPreference = 'Stop'
if (-not (Test-Path -LiteralPath $DoctorPath -PathType Leaf)) {
    Write-Output 'not-run'
    exit 0
}
$out = $Share
$temporary = $false
if (-not $out) {
    $out = Join-Path $env:TEMP ('basecamp-doctor-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $out | Out-Null
    $temporary = $true
}
try {
    $cliArgs = @('collect', '--out', $out, '--json', '--lang', 'en')
    if ($Region) { $cliArgs += @('--region', $Region) }
    $stdout = & $DoctorPath @cliArgs 2>$null
    if ($LASTEXITCODE -ge 64 -or -not $stdout) {
        Write-Output 'not-run'
    } else {
        Write-Output (($stdout -join "`n") | ConvertFrom-Json).verdict
    }
} finally {
    if ($temporary) { Remove-Item -LiteralPath $out -Recurse -Force -ErrorAction SilentlyContinue }
}
exit 0
