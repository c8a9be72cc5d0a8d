# prepare-staging.sh STAGING LOGIN_USER — as root: the staging folder, writable by the login user's SFTP.
set -e
mkdir -p "$1"
chown "$(id -u "$2")" "$1"
chmod 700 "$1"
