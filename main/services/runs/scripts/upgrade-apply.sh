# upgrade-apply.sh EXTRACT STYLUS_TREE — as root: the old agent image goes (no stale file of it stays), the
# new one is put in place, and clearing the sentinel makes the first-boot step install it with the
# user-data already on the device (device-contract §5: the installer's own method, not a documented one).
set -e
root=$(stylus_root)
rm -rf "$2"
apply_tree "$1"
rm -f "$root/opt/spectrocloud/state/setup_done"
