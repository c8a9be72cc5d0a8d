# Device probe: one POSIX sh script, sent on stdin, run unprivileged, once per device.
# Each fact follows a section marker so that a missing command empties one section, never shifts others.
# Few processes are started (builtins where possible): small devices fork slowly.
export LC_ALL=C
# Non-root logins often lack the sbin folders, where iptables, conntrack and rsyslogd live.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
s() { printf '\n@@EAI-SECTION %s@@\n' "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
show() { [ -r "$1" ] || return 1; while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$1"; }

s clock; date -u +%s%N
s uname; uname -r -m 2>/dev/null
s hostname; show /proc/sys/kernel/hostname || hostname 2>/dev/null
s machine-id; show /etc/machine-id || show /var/lib/dbus/machine-id
s serial; show /sys/class/dmi/id/product_serial
s nproc; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
s cpuinfo; cat /proc/cpuinfo 2>/dev/null
s lscpu; have lscpu && lscpu 2>/dev/null
s meminfo; cat /proc/meminfo 2>/dev/null
s os-release; show /etc/os-release || show /usr/lib/os-release
s lsblk; if have lsblk; then lsblk -J -b -o NAME,TYPE,SIZE,ROTA,TRAN,MODEL,MOUNTPOINT,PKNAME 2>/dev/null || lsblk -P -b -o NAME,TYPE,SIZE,ROTA,MODEL,MOUNTPOINT 2>/dev/null; fi
s sys-block
if ! have lsblk; then
  for d in /sys/block/*; do
    [ -r "$d/size" ] || continue
    read -r size < "$d/size"; rota=; [ -r "$d/queue/rotational" ] && read -r rota < "$d/queue/rotational"
    printf '%s %s %s\n' "${d##*/}" "$rota" "$size"
  done
fi
s root-source; while read -r src mnt rest; do [ "$mnt" = / ] && root=$src; done < /proc/mounts; echo "${root:-}"
s systemd; [ -d /run/systemd/system ] && echo running; have systemctl && echo systemctl
s login-shell
me=${LOGNAME:-${USER:-}}; found=
while IFS=: read -r name x uid gid gecos home shell; do [ "$name" = "$me" ] && found=$shell; done < /etc/passwd
if [ -n "$found" ]; then echo "$found"; else getent passwd "$me" 2>/dev/null | cut -d: -f7; fi
s bin-sh; readlink -f /bin/sh 2>/dev/null
s ip; ip -j addr show 2>/dev/null || ip -o addr show 2>/dev/null
s commands; for c in jq zstd rsync iptables rsyslogd conntrack bash curl; do if have "$c"; then echo "$c yes"; else echo "$c no"; fi; done
s units
for u in systemd-timesyncd systemd-resolved systemd-networkd rsyslog docker containerd; do
  f=no; for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do [ -e "$d/$u.service" ] && f=yes; done; echo "$u $f"
done
s rsyslog-enabled; have systemctl && systemctl is-enabled rsyslog 2>/dev/null
s units-enabled
if have systemctl; then for u in systemd-networkd systemd-resolved systemd-timesyncd; do e=$(systemctl is-enabled "$u" 2>/dev/null) || true; echo "$u ${e:-absent}"; done; fi
s docker; have dockerd && echo engine; [ -S /var/run/docker.sock ] && echo engine; have docker && echo client
s timedatectl; if have timedatectl; then timedatectl show 2>/dev/null || timedatectl status 2>/dev/null; timedatectl timesync-status 2>/dev/null; fi
s listening; ss -Htln 2>/dev/null || netstat -tln 2>/dev/null
s agent-env; show /etc/spectro/environment
s agent
# STYLUS_ROOT is read as text, never sourced.
r=/
if [ -r /etc/spectro/environment ]; then
  while IFS= read -r l || [ -n "$l" ]; do
    case "$l" in *STYLUS_ROOT=*) v=${l#*STYLUS_ROOT=}; v=${v#[\"\']}; v=${v%[\"\']}; case "$v" in /*) r=$v ;; esac ;; esac
  done < /etc/spectro/environment
fi
[ -e "$r/opt/spectrocloud/state/setup_done" ] && echo setup_done
b="$r/opt/spectrocloud/bin/palette-agent"
if [ -x "$b" ]; then echo binary; "$b" version 2>/dev/null | head -n 5; fi
s fips; show /proc/sys/crypto/fips_enabled
s selinux; getenforce 2>/dev/null || show /sys/fs/selinux/enforce
s cgroup; stat -fc %T /sys/fs/cgroup 2>/dev/null
# The Rocky FIPS prerequisites: SELinux lets rsync work, firewalld opens the Cilium ports (read only).
s selinux-rsync
if have getsebool; then
  getsebool rsync_full_access 2>/dev/null
  if m=$(semodule -l 2>/dev/null); then printf '%s\n' "$m" | grep -q '^rsync_dac_override\([[:space:]]\|$\)' && echo "module present" || echo "module absent"; else echo "module unreadable"; fi
fi
s firewalld
if have firewall-cmd; then
  if systemctl is-active --quiet firewalld 2>/dev/null; then echo active; firewall-cmd --list-ports 2>/dev/null || echo unreadable; else echo inactive; fi
fi
s swaps; show /proc/swaps
s space
# Where the bundle is staged and the agent goes; the nearest existing folder of each is measured.
set --
for p in /var/lib/spectro /opt/spectrocloud / /var /tmp; do
  q=$p; while [ ! -e "$q" ]; do q=${q%/*}; [ -z "$q" ] && q=/; done
  printf 'path %s %s\n' "$p" "$q"; set -- "$@" "$q"
done
df -Pk "$@" 2>/dev/null
s end
