# uninstalled.sh — as root: is the agent gone? The page's check is that `palette-agent version` finds no binary.
root=$(stylus_root)
section binary
[ -e "$root/opt/spectrocloud/bin/palette-agent" ] && echo present || echo absent
section units
for u in spectro-stylus-agent spectro-stylus-operator spectro-init; do
  printf '%s %s\n' "$u" "$(systemctl is-active "$u" 2>/dev/null || true)"
done
section machine-id
[ -s /etc/machine-id ] && echo kept || echo missing
section end
