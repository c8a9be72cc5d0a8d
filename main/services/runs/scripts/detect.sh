# detect.sh USERDATA — as root: what is installed. Only two keys are read out of the user-data, on the
# device: the file holds secrets and never leaves it.
root=$(stylus_root)
section version
[ -x "$root/opt/spectrocloud/bin/palette-agent" ] && "$root/opt/spectrocloud/bin/palette-agent" version 2>&1
section setup
[ -e "$root/opt/spectrocloud/state/setup_done" ] && echo yes
section userdata
[ -f "$1" ] && echo present
section mode
sed -n "s/^[[:space:]]*managementMode:[[:space:]]*[\"']\{0,1\}\([a-z]*\).*/\1/p" "$1" 2>/dev/null | head -n 1
section installationmode
sed -n "s/^[[:space:]]*installationMode:[[:space:]]*[\"']\{0,1\}\([a-z]*\).*/\1/p" "$1" 2>/dev/null | head -n 1
section multinode
sed -n 's/^[[:space:]]*enableMultiNode:[[:space:]]*\([a-z]*\).*/\1/p' "$1" 2>/dev/null | head -n 1
section end
