# agent-install.sh AGENT STYLUS_TREE USERDATA — as root: the documented "install first, then reboot".
set -e
"$1" install --source "dir:$2" --config "$3"
