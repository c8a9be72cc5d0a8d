# uninstall.sh MODE — as root: the agent's own `palette-agent uninstall` (agent 4.9.10 and later; librarium
# install-agent-host, "Uninstall Palette Agent"). MODE "dry-run" lists the tasks and changes nothing; "run"
# passes --force, which the page gives for non-interactive use (without it the command asks for a y).
root=$(stylus_root)
b="$root/opt/spectrocloud/bin/palette-agent"
[ -x "$b" ] || { echo "There is no palette-agent under $root/opt/spectrocloud/bin." >&2; exit 3; }
if [ "$1" = dry-run ]; then
  "$b" uninstall --dry-run </dev/null 2>&1
else
  "$b" uninstall --force </dev/null 2>&1
fi
