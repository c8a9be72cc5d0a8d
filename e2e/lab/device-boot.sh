#!/bin/bash
# Boot of one lab device. Runs as PID 1 of the device's own PID, mount and UTS namespaces, inside its
# network namespace. Everything the device writes lands in its folder ($1) through overlays, so it is
# private to this device and survives its reboots; nothing is written to the machine's own files.
set -eu
DEV_DIR=$1
NAME=$2

hostname "$NAME"
mount --make-rprivate /
for d in etc var opt home usr/local srv; do
  [ -d "/$d" ] || continue
  key=${d//\//-}
  mkdir -p "$DEV_DIR/upper/$key" "$DEV_DIR/work/$key"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$DEV_DIR/upper/$key,workdir=$DEV_DIR/work/$key" "/$d"
done
# root's home is the device's own, as on a freshly installed device, not the machine's: the machine's dotfiles
# (a .bashrc that starts pyenv, say) would run at every SSH command and cost each one ~0.1 s that no real device
# spends (measured 2026-12-03 with strace on a lab device's sshd). Bash reads ~/.bashrc when sshd starts it, even
# non-interactively (GNU Bash manual, 6.2 Bash Startup Files, "Invoked by remote shell daemon":
# https://www.gnu.org/software/bash/manual/html_node/Bash-Startup-Files.html); /etc/skel's .bashrc, which a fresh
# Debian or Ubuntu root starts from, returns at once when the shell is not interactive.
mkdir -p "$DEV_DIR/root-home"
chmod 700 "$DEV_DIR/root-home"
mount --bind "$DEV_DIR/root-home" /root
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lab /run/sshd /run/systemd/system
mount --bind "$DEV_DIR/control" /run/lab
# A static address the device takes at this boot (LabDevice.moveAtNextBoot): eth0 gets it, sshd listens there.
if [ -s /run/lab/address-at-boot ]; then
  addr=$(cat /run/lab/address-at-boot)
  ip addr flush dev eth0 scope global
  ip addr add "$addr/16" dev eth0
  ip route replace default via 198.18.0.1
  sed -i "s/^ListenAddress .*/ListenAddress $addr:22/" /run/lab/sshd_config
  rm -f /run/lab/address-at-boot
fi
# Last: the device folder may itself live under /tmp.
mount -t tmpfs -o mode=1777 tmpfs /tmp
# Everything else the device sees of the machine is read-only, so nothing it does can leak out of its
# overlays (overlayfs writes its upper folders through a private mount, unaffected by this).
mount -o remount,bind,ro /

if [ ! -e /etc/lab-provisioned ]; then
  # First boot: the device's own identity and users, in its overlay only.
  echo "$NAME" > /etc/hostname
  rm -f /etc/machine-id && cp /run/lab/machine-id /etc/machine-id && chmod 444 /etc/machine-id
  printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$NAME" > /etc/hosts
  # The lab has no DNS server: lookups go to the lab host, which refuses them at once (no traffic leaves).
  rm -f /etc/resolv.conf && printf 'nameserver 198.18.0.1\noptions timeout:1 attempts:1\n' > /etc/resolv.conf
  useradd -m -s /bin/bash tech
  printf 'tech:%s\n' "$(cat /run/lab/tech-password)" | chpasswd
  rm -f /run/lab/tech-password
  usermod -s /bin/bash root
  cp -a /etc/skel/. /root/
  printf 'tech ALL=(ALL:ALL) ALL\n' > /etc/sudoers.d/lab-tech && chmod 440 /etc/sudoers.d/lab-tech
  # A plain PAM stack: the machine's may reference session modules that need systemd-logind.
  printf 'auth required pam_unix.so\naccount required pam_unix.so\npassword required pam_unix.so\nsession required pam_unix.so\n' > /etc/pam.d/sshd
  install -m 755 /run/lab/bin/reboot /usr/local/sbin/reboot
  install -m 755 /run/lab/bin/reboot /usr/local/sbin/poweroff
  install -m 755 /run/lab/bin/systemctl /usr/local/sbin/systemctl
  install -m 755 /run/lab/bin/systemctl /usr/local/bin/systemctl
  install -m 755 /run/lab/bin/journalctl /usr/local/bin/journalctl
  touch /etc/lab-provisioned
fi

# What systemd would start: every unit enabled through a .wants link (the first-boot unit below).
mkdir -p /run/lab-units
for w in /etc/systemd/system/*.wants/*.service; do
  [ -e "$w" ] || [ -L "$w" ] || continue
  [ "${w##*/}" = spectro-init.service ] && continue
  echo active > "/run/lab-units/${w##*/}"
done

# spectro-init.service as systemd runs the published unit: a simple service (no Type=) counts as started
# once its script is forked, so the boot goes on and sshd answers while it installs; Restart=on-failure
# with RestartSec=5s runs it again after a failure (systemd's start limit is never reached at that pace);
# RemainAfterExit=yes keeps it active after a clean exit. Its state is what `systemctl show` and
# `is-active` report, its output what `journalctl -u spectro-init` prints.
first_boot() {
  local unit=spectro-init.service st=/run/lab-units restarts=0 rc started
  set +e
  echo "$BASHPID" > "$st/$unit.pid"
  while :; do
    started=$(awk '{ printf "%d", $1 * 1000000 }' /proc/uptime)
    printf 'LoadState=loaded\nActiveState=active\nSubState=running\nNRestarts=%s\nExecMainStatus=\nExecMainStartTimestampMonotonic=%s\n' "$restarts" "$started" > "$st/$unit.show"
    echo active > "$st/$unit"
    { rc=0; /var/lib/spectro/spectro-init.sh 2>&1 || rc=$?; echo "$rc" > "$st/$unit.rc"; } | tee -a /var/log/lab-boot.log >> "$st/$unit.log"
    rc=$(cat "$st/$unit.rc")
    if [ "$rc" -eq 0 ]; then
      printf 'LoadState=loaded\nActiveState=active\nSubState=exited\nNRestarts=%s\nExecMainStatus=0\nExecMainStartTimestampMonotonic=%s\n' "$restarts" "$started" > "$st/$unit.show"
      return 0
    fi
    printf 'LoadState=loaded\nActiveState=activating\nSubState=auto-restart\nNRestarts=%s\nExecMainStatus=%s\nExecMainStartTimestampMonotonic=%s\n' "$restarts" "$rc" "$started" > "$st/$unit.show"
    echo activating > "$st/$unit"
    sleep 5
    restarts=$((restarts + 1))
  done
}
if [ -f /etc/systemd/system/spectro-init.service ] && [ -L /etc/systemd/system/local-fs.target.wants/spectro-init.service ] && [ -x /var/lib/spectro/spectro-init.sh ]; then
  first_boot &
fi

/run/lab/bin/start-sshd
# The installed agent's units start at boot: in the lab, the stand-in Local UI TLS endpoint of the fixture.
ui=/opt/spectrocloud/state/localui
if [ -s "$ui/port" ] && [ -s "$ui/cert.pem" ]; then
  setsid openssl s_server -quiet -www -accept "$(cat "$ui/port")" -cert "$ui/cert.pem" -key "$ui/key.pem" </dev/null >/dev/null 2>&1 &
fi
echo up > /run/lab/state

# PID 1 duties: reap orphans, live until the lab ends this namespace.
trap 'exit 0' TERM
while :; do
  sleep 5 &
  wait $! || true
done
