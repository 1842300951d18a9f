<#
.SYNOPSIS
  Intune Remediations detection script: checks this endpoint with Basecamp Doctor and
  prints a one-line summary (at most 2,048 characters, Intune's limit).

.DESCRIPTION
  Runs `basecamp-doctor collect` into a private temporary folder, prints one line
  ("BasecampDoctor verdict=fail fail=3 warn=1 problems=... hosts=wsc@proxy=proxy_refused"),
  and exits 1 when the check found a problem (Intune then reports "With issues" and runs
  the remediation script, if any), else 0. With -Share it also copies the collect file to
  a share for `basecamp-doctor fleet`, under a temporary name first and then renamed, so
  the share never holds a partial file.

  Edit the values below (Intune runs detection scripts without parameters), upload as the
  detection script, "Run this script using the logged-on credentials" = No (SYSTEM),
  "Run script in 64-bit PowerShell" = Yes.
#>
[CmdletBinding()]
param(
    # Where the CLI is on the endpoint (deploy it with a Win32 app or copy it first).
    [string]$DoctorPath = (Join-Path $env:ProgramFiles 'Basecamp Doctor\basecamp-doctor.exe'),
    # The Vision One region (us, eu, jp, sg, au, in, mea); empty = read from the agent.
    [string]$Region = '',
    # A share to copy the collect file to, e.g. \\fs01\basecamp$ ; empty = no copy.
    [string]$Share = '',
    # A site name for fleet when its site map does not place this endpoint.
    [string]$SiteHint = '',
    # Also report warnings as an issue (exit 1).
    [switch]$FailOnWarning
)

$ErrorActionPreference = 'Stop'
$MaxOutput = 2000   # below Intune's 2,048 characters

function Write-Summary([string]$Text) {
    $line = ($Text -replace '[\x00-\x1f\x7f]+', ' ').Trim()
    if ($line.Length -gt $MaxOutput) { $line = $line.Substring(0, $MaxOutput - 3) + '...' }
    Write-Output $line
}

if (-not (Test-Path -LiteralPath $DoctorPath -PathType Leaf)) {
    Write-Summary "BasecampDoctor not-run reason=cli-missing path=$DoctorPath"
    exit 1
}

$work = Join-Path $env:TEMP ('basecamp-doctor-' + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    $cliArgs = @('collect', '--out', $work, '--json', '--lang', 'en')
    if ($Region) { $cliArgs += @('--region', $Region) }
    if ($SiteHint) { $cliArgs += @('--site-hint', $SiteHint) }
    $stdout = & $DoctorPath @cliArgs 2>$null
    $code = $LASTEXITCODE
    if ($code -ge 64 -or -not $stdout) {
        Write-Summary "BasecampDoctor not-run reason=cli-error exit=$code"
        exit 1
    }
    $outcome = ($stdout -join "`n") | ConvertFrom-Json
    $result = Get-Content -LiteralPath $outcome.path -Raw -Encoding UTF8 | ConvertFrom-Json

    $problems = @($result.findings |
        Where-Object { $_.status -eq 'fail' -or $_.status -eq 'warn' } |
        Where-Object { $_.id -notlike 'network.host.*' } |
        ForEach-Object { "$($_.status):$($_.id)" })
    $hosts = @()
    if ($result.network) {
        $hosts = @($result.network.hosts | Where-Object { $_.error } |
            ForEach-Object { "$($_.purpose)@$($_.stage)=$($_.error)" } | Select-Object -Unique)
    }
    $line = "BasecampDoctor verdict=$($result.verdict) fail=$($result.summary.fail) warn=$($result.summary.warn)"
    if ($result.network -and $result.network.region) { $line += " region=$($result.network.region)" }
    if ($problems.Count -gt 0) { $line += ' problems=' + ($problems -join ',') }
    if ($hosts.Count -gt 0) { $line += ' hosts=' + ($hosts -join ',') }

    if ($Share) {
        try {
            $name = Split-Path -Leaf $outcome.path
            $temp = Join-Path $Share ('.' + $name + '.' + [guid]::NewGuid().ToString('N') + '.tmp')
            $final = Join-Path $Share $name
            Copy-Item -LiteralPath $outcome.path -Destination $temp
            if (Test-Path -LiteralPath $final) {
                [System.IO.File]::Replace($temp, $final, [NullString]::Value)
            } else {
                [System.IO.File]::Move($temp, $final)
            }
            $line += ' copied=yes'
        } catch {
            if ($temp -and (Test-Path -LiteralPath $temp)) { Remove-Item -LiteralPath $temp -Force }
            $line += ' copied=no'
        }
    }
    Write-Summary $line
    if ($code -eq 2 -or ($FailOnWarning -and $code -eq 1)) { exit 1 }
    exit 0
} finally {
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
