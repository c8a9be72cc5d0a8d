# verify.sh LOCAL_UI_PORT — what the installed agent says: the sentinel, its version, its units, Local UI.
root=$(stylus_root)
section setup
[ -e "$root/opt/spectrocloud/state/setup_done" ] && echo yes
section version
"$root/opt/spectrocloud/bin/palette-agent" version 2>&1
section units
systemctl is-active spectro-stylus-agent spectro-stylus-operator 2>&1
section localui
(ss -Htln 2>/dev/null || netstat -tln 2>/dev/null) | grep -c ":$1\b"
section end
