# Shared by every run script (prepended when the script is loaded). POSIX sh; values arrive as arguments.
PATH=$PATH:/usr/sbin:/sbin
export LC_ALL=C

# One run of a script at a time on a device (deviceScript calls this first, with the script's name and how long
# to wait). A step cut off with its connection goes on running here: to its end when the link is down (sshd has
# not noticed; its output waits in sshd's buffers), to its next write when sshd is gone. Its retry must not run
# beside it: two stagings in one folder (the cut one's `mkdir extract` between the retry's `rm -rf` and its own
# mkdir fails the retry; its tar then writes into the retry's folder), two applies at once. Each run notes its pid
# and start time (field 22 of /proc/PID/stat: a pid since reused by another process does not match) in /run,
# root's and emptied at boot; a run first waits for an earlier run of the same script that is still alive, up to
# $2 seconds, then says so and stops (exit 75). A run that cannot write there (a script run as the login user,
# which changes nothing) is not guarded.
one_run_at_a_time() {
  eai_f=${EAI_RUN_DIR:-/run}/eai-script-$1.pid
  [ -w "${eai_f%/*}" ] || return 0
  if [ -f "$eai_f" ] && read -r eai_old eai_start < "$eai_f" && [ -n "$eai_start" ]; then
    eai_waited=0
    while [ "$(cut -d' ' -f22 "/proc/$eai_old/stat" 2>/dev/null)" = "$eai_start" ]; do
      if [ "$eai_waited" -ge $(( $2 * 5 )) ]; then
        echo "An earlier run of this step (process $eai_old) is still running on the device after $2 s: wait for it to end or stop it, then retry." >&2
        exit 75
      fi
      sleep 0.2
      eai_waited=$((eai_waited + 1))
    done
  fi
  echo "$$ $(cut -d' ' -f22 /proc/$$/stat)" > "$eai_f"
}

# One output convention for every device script: a marker line, then the section's text.
section() { printf '\n@@EAI-SECTION %s@@\n' "$1"; }

# STYLUS_ROOT from /etc/spectro/environment, read as text and never sourced (the file is the device's,
# not ours to run as root); "/" when it is not set.
stylus_root() {
  r=$(sed -n "s/^[[:space:]]*\(export[[:space:]]*\)\{0,1\}STYLUS_ROOT=[\"']*\(\/[^\"']*\).*/\2/p" /etc/spectro/environment 2>/dev/null | tail -n 1)
  echo "${r:-/}"
}

# The sha256 of a file (stdin when none): OpenSSL's, which uses the CPU's SHA instructions (about three
# times coreutils' speed on a gigabyte), or sha256sum where OpenSSL is missing.
sha256_of() {
  if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r ${1:+"$1"} | cut -d' ' -f1; else sha256sum ${1:+"$1"} | cut -d' ' -f1; fi
}

# Fails with exit 28 and a message when a folder's filesystem has less than $2 KiB free.
need_space() {
  avail=$(df -Pk "$1" | tail -n 1 | awk '{print $4}')
  if [ "$avail" -lt "$2" ]; then echo "$3 needs $2 KiB, $avail KiB free under $1" >&2; exit 28; fi
}

# Puts a staged tree in place under /. Existing directories keep their mode, owner and times: each staged
# directory first takes the mode and owner of the one it lands on, so the copy never changes them, not even
# for a moment (GNU tar's --no-overwrite-dir makes them 0700 while it runs, which locks out every non-root
# login, and leaves them so if tar is killed).
apply_tree() {
  (
    cd "$1"
    find . -type d | while IFS= read -r d; do
      t="/${d#./}"
      if [ -d "$t" ] && [ ! -L "$t" ]; then chmod --reference="$t" "$d" && chown --reference="$t" "$d"; fi
    done
    rsync -aH --omit-dir-times ./ /
  )
}
