# keep-userdata.sh USERDATA BACKUP — as root: the documented reinstall keeps /var/lib/spectro/userdata. If the
# uninstall removed it after all, the backed-up copy goes back (root, 0600); it never leaves the device.
set -e
if [ -s "$1" ]; then echo kept; else install -D -m 600 -o root -g root "$2/userdata" "$1"; echo restored; fi
cmp -s "$1" "$2/userdata" || { echo "The user-data differs from the one backed up before the uninstall." >&2; exit 4; }
