# reboot.sh MARKER — as root: mark this boot (a tmpfs file, gone after the reboot), then reboot a moment
# after this command has returned, so that its exit status can still reach the installer.
touch "$1"
(sleep 1; systemctl reboot) >/dev/null 2>&1 &
