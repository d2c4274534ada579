; Inno Setup script for Vetline (packaging/windows/build.ps1 passes Version, Source, Icon).
[Setup]
AppId={{6F1D8E52-3C47-4B0B-9E1A-5A7D2C9B4E10}
AppName=Vetline
AppVersion={#Version}
AppPublisher=Vetline
DefaultDirName={autopf}\Vetline
DefaultGroupName=Vetline
UninstallDisplayIcon={app}\vetline.exe
SetupIconFile={#Icon}
OutputBaseFilename=vetline-{#Version}-windows-x64-setup
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
Compression=lzma2
SolidCompression=yes
ChangesAssociations=yes

[Files]
Source: "{#Source}\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Vetline"; Filename: "{app}\vetline.exe"; Parameters: "review"
Name: "{group}\Uninstall Vetline"; Filename: "{uninstallexe}"

[Registry]
; "Open with" for .diff and .patch files, without taking over their default program.
Root: HKA; Subkey: "Software\Classes\Applications\vetline.exe\shell\open\command"; ValueType: string; ValueData: """{app}\vetline.exe"" review ""%1"""; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.diff\OpenWithList\vetline.exe"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\.patch\OpenWithList\vetline.exe"; Flags: uninsdeletekey
