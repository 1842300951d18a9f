<#
.SYNOPSIS
  Configuration Manager "Run Scripts" entry: checks the endpoint with Basecamp Doctor and
  writes <host>.collect.json to a share for `basecamp-doctor fleet`.

.DESCRIPTION
  Create it under Software Library > Scripts > Create Script, approve it, then right-click
  a device collection > Run Script. The parameters appear in the wizard. The script
  output (one line) and the exit code show in Monitoring > Script Status:
  0 healthy, 1 warnings, 2 problems, 3 the CLI is missing or failed.
  `collect` writes under a temporary name and renames, so hundreds of endpoints can write
  to one share at once and the share never holds a partial file.
#>
param(
    [Parameter(Mandatory = $true)]
    [string]$Share,
    [string]$Region = '',
    [string]$SiteHint = '',
    [string]$DoctorPath = (Join-Path $env:ProgramFiles 'Basecamp Doctor\basecamp-doctor.exe'),
    [switch]$Bundle
)

$ErrorActionPreference = 'Stop'
if (-not (Test-Path -LiteralPath $DoctorPath -PathType Leaf)) {
    Write-Output "BasecampDoctor not-run reason=cli-missing path=$DoctorPath"
    exit 3
}
$cliArgs = @('collect', '--out', $Share, '--json', '--lang', 'en')
if ($Region) { $cliArgs += @('--region', $Region) }
if ($SiteHint) { $cliArgs += @('--site-hint', $SiteHint) }
if ($Bundle) { $cliArgs += '--bundle' }
$stdout = & $DoctorPath @cliArgs 2>&1
$code = $LASTEXITCODE
if ($code -ge 64) {
    $detail = (($stdout | Out-String) -replace '[\x00-\x1f\x7f]+', ' ').Trim()
    if ($detail.Length -gt 500) { $detail = $detail.Substring(0, 500) }
    Write-Output "BasecampDoctor not-run reason=cli-error exit=$code $detail"
    exit 3
}
$outcome = ($stdout -join "`n") | ConvertFrom-Json
Write-Output "BasecampDoctor verdict=$($outcome.verdict) file=$($outcome.path)"
exit $code
