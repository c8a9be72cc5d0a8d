# write-userdata.sh PATH — as root: the user-data (from `input`, a quoted here-document: it holds the
# token, so it never travels in argv) into a temporary file made with umask 077, root-owned, 0600, then
# renamed over PATH, so a reader sees the old file or the new one, never half of one.
set -e
umask 077
mkdir -p "$(dirname "$1")"
t=$(mktemp "$1.XXXXXX")
input > "$t"
chown 0:0 "$t"
chmod 600 "$t"
mv -f "$t" "$1"
