# detect.sh USERDATA — as root: what is installed. Only two keys are read out of the user-data, on the
# device: the file holds secrets and never leaves it.
root=$(stylus_root)
section version
[ -x "$root/opt/spectrocloud/bin/palette-agent" ] && "$root/opt/spectrocloud/bin/palette-agent" version 2>&1
section uninstall
# `palette-agent uninstall` came with agent 4.9.10 (4.9.14 release notes); the agent's own command list says
# whether this one has it. Its --help format is not documented: not finding it means the backed-up method.
[ -x "$root/opt/spectrocloud/bin/palette-agent" ] && "$root/opt/spectrocloud/bin/palette-agent" --help 2>&1 | grep -q '^[[:space:]]*uninstall[[:space:]]' && echo yes
section cluster
# In a cluster: Kubernetes runs here (the API server or a kubelet listens, or their processes run).
if command -v ss >/dev/null 2>&1 && ss -Hltn 2>/dev/null | awk '{print $4}' | grep -Eq ':(6443|10250)$'; then echo yes
elif pgrep -x 'kubelet|k3s|k3s-server|k3s-agent|rke2' >/dev/null 2>&1; then echo yes
else echo no; fi
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
