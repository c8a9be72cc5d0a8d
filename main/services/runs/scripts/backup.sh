# backup.sh STAGED_BUNDLE SHA256 BACKUP VERSION_BEFORE USERDATA STYLUS_TREE INIT_SCRIPT — as root: check the
# staged bundle is still the one the plan was made from, then back up the agent tree, the user-data and the
# first-boot unit.
set -e
root=$(stylus_root)
[ "$(sha256_of "$1")" = "$2" ] || { echo "the staged bundle changed since the plan: stage it again" >&2; exit 3; }
need=$(du -sk "$root/opt/spectrocloud" "$6" "$5" 2>/dev/null | awk '{s+=$1} END {print s+0}')
need_space /var/lib "$need" "The backup"
rm -rf "$3"; mkdir -p "$3"; chmod 700 "$3"
cp -a "$root/opt/spectrocloud" "$3/opt-spectrocloud"
[ ! -d "$6" ] || cp -a "$6" "$3/stylus"
cp -a "$5" "$3/userdata"
[ ! -f "$7" ] || cp -a "$7" "$3/"
# The first-boot unit: an uninstall removes it, a rollback must put it back.
[ ! -f /etc/systemd/system/spectro-init.service ] || cp -a /etc/systemd/system/spectro-init.service "$3/"
echo "$4" > "$3/version"
touch "$3/complete"
