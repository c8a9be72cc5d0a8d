# restore.sh BACKUP USERDATA STYLUS_TREE INIT_SCRIPT — as root: put the backup of backup.sh back.
set -e
# A failed first-boot step is restarted by systemd every 5 s: stop it, or it would install again under us.
systemctl stop spectro-init.service >/dev/null 2>&1 || true
root=$(stylus_root)
[ -f "$1/complete" ] || { echo "no complete backup in $1" >&2; exit 3; }
rm -rf "$root/opt/spectrocloud" "$3"
cp -a "$1/opt-spectrocloud" "$root/opt/spectrocloud"
[ ! -d "$1/stylus" ] || cp -a "$1/stylus" "$3"
cp -a "$1/userdata" "$2"
[ ! -f "$1/spectro-init.sh" ] || cp -a "$1/spectro-init.sh" "$4"
if [ -f "$1/spectro-init.service" ]; then
  cp -a "$1/spectro-init.service" /etc/systemd/system/spectro-init.service
  mkdir -p /etc/systemd/system/local-fs.target.wants
  ln -sf ../spectro-init.service /etc/systemd/system/local-fs.target.wants/spectro-init.service
fi
