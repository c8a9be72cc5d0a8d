# stage.sh UPLOADED SHA256 STAGE AGENT_IN_BUNDLE — as root. The upload folder belongs to the login user,
# so the bundle is first copied into a root-only folder and hashed there; it is unpacked from that copy
# (space checked first). Then the staged agent's version (asked as nobody), and that of an agent already set
# up here.
set -e
# Gone (the staging was cleaned, or removed by hand): say so apart from any other failure.
[ -f "$1" ] || { echo "the uploaded bundle is not on the device any more: $1" >&2; exit 4; }
size=$(( $(wc -c < "$1") / 1024 ))
mkdir -p "$3"
chown 0:0 "$3"
chmod 700 "$3"
rm -rf "$3/extract" "$3/bundle.tar"
need_space "$3" $(( size * 2 )) "Unpacking the bundle in staging"
cp "$1" "$3/bundle.tar"
[ "$(sha256_of "$3/bundle.tar")" = "$2" ] || { echo "the bundle changed on the device after its upload" >&2; exit 3; }
mkdir -m 700 "$3/extract"
tar -xf "$3/bundle.tar" -C "$3/extract"
# What GNU tar unpacked, compared in main with what the bundle check read before anything is applied.
section listing
(cd "$3/extract" && find . -mindepth 1 -printf '%y %P\n')
section staged
# The staged agent is asked its version as nobody, not root: nothing from the bundle runs as root before the
# plan is reviewed. It is copied to a folder nobody may read (the stage folder is root's only), not under /tmp,
# which hardened hosts mount noexec.
probe=/var/lib/eai-stage-probe
rm -rf "$probe"; mkdir -m 755 "$probe"
cp "$3/extract/$4"* "$probe/"
chmod -R a+rX "$probe"
if command -v setpriv >/dev/null 2>&1; then
  (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "$probe/${4##*/}" version)
else
  (cd / && runuser -u nobody -- "$probe/${4##*/}" version)
fi
rm -rf "$probe"
root=$(stylus_root)
section installed
if [ -e "$root/opt/spectrocloud/state/setup_done" ]; then "$root/opt/spectrocloud/bin/palette-agent" version 2>/dev/null || true; fi
section end
