<#
.SYNOPSIS
  Group Policy startup script: checks the endpoint with Basecamp Doctor at every start and
  writes <host>.collect.json to a share for `basecamp-doctor fleet`.

.DESCRIPTION
  Computer Configuration > Policies > Windows Settings > Scripts (Startup/Shutdown) >
  Startup > PowerShell Scripts: add this file, with script parameters such as
    -Share \\fs01\basecamp$ -Region jp -DoctorPath \\fs01\tools\basecamp-doctor.exe
  Startup scripts run as the computer account (SYSTEM), so the computer accounts
  (Domain Computers) need Modify on the share folder. The network may not be up yet at
  start-up: the script waits for the share for up to -WaitSeconds. The last run's one-line
  result is kept in %ProgramData%\BasecampDoctor\startup.log.
#>
param(
    [Parameter(Mandatory = $true)]
    [string]$Share,
    [string]$Region = '',
    [string]$SiteHint = '',
    [string]$DoctorPath = (Join-Path $env:ProgramFiles 'Basecamp Doctor\basecamp-doctor.exe'),
    [int]$WaitSeconds = 120
)

$ErrorActionPreference = 'Stop'
$logDir = Join-Path $env:ProgramData 'BasecampDoctor'
New-Item -ItemType Directory -Path $logDir -Force | Out-Null
$log = Join-Path $logDir 'startup.log'

function Write-Log([string]$Text) {
    $stamp = (Get-Date).ToString('yyyy-MM-ddTHH:mm:sszzz')
    Set-Content -LiteralPath $log -Value "$stamp $Text" -Encoding UTF8
}

$deadline = (Get-Date).AddSeconds($WaitSeconds)
while (-not (Test-Path -LiteralPath $Share -PathType Container)) {
    if ((Get-Date) -gt $deadline) {
        Write-Log "not-run reason=share-unreachable share=$Share"
        exit 0
    }
    Start-Sleep -Seconds 10
}
if (-not (Test-Path -LiteralPath $DoctorPath -PathType Leaf)) {
    Write-Log "not-run reason=cli-missing path=$DoctorPath"
    exit 0
}
$cliArgs = @('collect', '--out', $Share, '--json', '--lang', 'en')
if ($Region) { $cliArgs += @('--region', $Region) }
if ($SiteHint) { $cliArgs += @('--site-hint', $SiteHint) }
$stdout = & $DoctorPath @cliArgs 2>$null
$code = $LASTEXITCODE
if ($code -ge 64 -or -not $stdout) {
    Write-Log "not-run reason=cli-error exit=$code"
} else {
    $outcome = ($stdout -join "`n") | ConvertFrom-Json
    Write-Log "verdict=$($outcome.verdict) file=$($outcome.path)"
}
# A startup script that fails slows the start; the result is in the share and the log.
exit 0
