; The per-user installer of dossier (职工创新鼓励金申报材料工具): no administrator rights, installs into
; %LOCALAPPDATA%\Programs\dossier, adds Start-menu and desktop shortcuts and the folder to the user's PATH
; (for `dossier` in a command prompt), and an uninstaller that removes all of it. Built by build.py:
;   makensis -INPUTCHARSET UTF8 -DVERSION=… -DSRCDIR=… -DOUTFILE=… installer.nsi
; The user's applications and settings (the workspace) live elsewhere and are kept on uninstall.

Target amd64-unicode  ; a 64-bit installer for a 64-bit bundle (and Wine without 32-bit support runs it)
SetCompressor /SOLID lzma
SetCompressorDictSize 32
RequestExecutionLevel user
ManifestDPIAware true

!define APPNAME "职工创新鼓励金申报材料工具"
!define REGKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\dossier"
!define ENVKEY "Environment"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\dossier"
InstallDirRegKey HKCU "${REGKEY}" "InstallLocation"
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APPNAME} 安装程序"
VIAddVersionKey /LANG=2052 "LegalCopyright" "MIT"

!include "MUI2.nsh"
!include "WordFunc.nsh"

!define MUI_FINISHPAGE_RUN "$INSTDIR\python\pythonw.exe"
!define MUI_FINISHPAGE_RUN_PARAMETERS "-m assembler.web.desktop"
!define MUI_FINISHPAGE_RUN_TEXT "现在打开${APPNAME}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Section "install"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File /r "${SRCDIR}/*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\python\pythonw.exe" "-m assembler.web.desktop" "$INSTDIR\python\pythonw.exe" 0
  CreateShortCut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\python\pythonw.exe" "-m assembler.web.desktop" "$INSTDIR\python\pythonw.exe" 0

  WriteRegStr HKCU "${REGKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${REGKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${REGKEY}" "Publisher" "dossier"
  WriteRegStr HKCU "${REGKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${REGKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${REGKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${REGKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${REGKEY}" "NoRepair" 1

  ; `dossier` in a new command prompt: the install folder on the user's PATH (once)
  ReadRegStr $0 HKCU "${ENVKEY}" "Path"
  ${WordFind} "$0" "$INSTDIR" "E+1{" $1
  IfErrors 0 path_done
    StrCmp $0 "" 0 +3
      StrCpy $0 "$INSTDIR"
      Goto +2
    StrCpy $0 "$0;$INSTDIR"
    WriteRegExpandStr HKCU "${ENVKEY}" "Path" "$0"
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
  path_done:
SectionEnd

Section "uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  RMDir /r "$INSTDIR"
  DeleteRegKey HKCU "${REGKEY}"

  ReadRegStr $0 HKCU "${ENVKEY}" "Path"
  ${un.WordReplace} "$0" ";$INSTDIR" "" "+" $1
  ${un.WordReplace} "$1" "$INSTDIR" "" "+" $1
  StrCmp $1 "" 0 +3
    DeleteRegValue HKCU "${ENVKEY}" "Path"
    Goto +2
  WriteRegExpandStr HKCU "${ENVKEY}" "Path" "$1"
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
SectionEnd
