# Windows: freeze Vetline with PyInstaller from its wheel, then build an installer with
# Inno Setup (Start-menu entry, uninstaller): dist\vetline-<version>-windows-x64-setup.exe.
# Not run on the Linux machines this project is developed on: see packaging/README.md.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

$work = "build\package"
if (Test-Path $work) { Remove-Item -Recurse -Force $work }
New-Item -ItemType Directory -Force -Path $work, "dist" | Out-Null

python -m venv "$work\venv"
$py = "$work\venv\Scripts\python.exe"
& $py -m pip install --quiet --upgrade pip
& $py -m pip install --quiet "build>=1.2" "setuptools>=77"
& $py -m build --no-isolation --outdir "$work\dist" .
if ($LASTEXITCODE -ne 0) { throw "building the wheel failed" }
$wheel = Get-ChildItem "$work\dist\vetline-*.whl" | Select-Object -First 1
& $py -m pip install --quiet $wheel.FullName "pyinstaller>=6.10,<7"
& $py packaging\make_icon.py "$work\vetline.ico"
& "$work\venv\Scripts\pyinstaller.exe" --noconfirm --clean --log-level WARN `
    --distpath "$work\frozen" --workpath "$work\work" packaging\pyinstaller\vetline.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }
$version = & $py -c "import importlib.metadata as m; print(m.version('vetline'))"

$iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
if (-not (Test-Path $iscc)) { choco install innosetup --no-progress -y; }
& $iscc "/DVersion=$version" "/DSource=$((Resolve-Path "$work\frozen\vetline").Path)" `
    "/DIcon=$((Resolve-Path "$work\vetline.ico").Path)" "/O$((Resolve-Path dist).Path)" `
    packaging\windows\vetline.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Output "built dist\vetline-$version-windows-x64-setup.exe"
