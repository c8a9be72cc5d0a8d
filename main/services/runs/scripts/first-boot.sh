# first-boot.sh — what the first-boot step is doing: the sentinel, systemd's view of spectro-init, how long
# its process has run (against the uptime), and the tail of its log.
root=$(stylus_root)
section sentinel
[ -e "$root/opt/spectrocloud/state/setup_done" ] && echo yes
section unit
systemctl show spectro-init.service -p LoadState -p ActiveState -p SubState -p NRestarts -p ExecMainStatus -p ExecMainStartTimestampMonotonic 2>/dev/null
section uptime
cut -d' ' -f1 /proc/uptime
section log
journalctl -u spectro-init.service -n 20 --no-pager -o cat 2>/dev/null
section end
