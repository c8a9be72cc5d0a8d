# cleanup.sh STAGING STAGE — as root, after the agent verified: the uploaded bundle and root's staged copy
# go (the documented minimum disk is 32 GB: a second copy of the agent image has no place there); prints
# how many KiB that returned.
set -e
before=$(du -sk "$1" "$2" 2>/dev/null | awk '{s+=$1} END {print s+0}')
rm -rf "$1" "$2"
section freed
echo "$before"
section end
