# apply.sh EXTRACT — as root: the staged tree into / (see apply_tree).
set -e
apply_tree "$1"
