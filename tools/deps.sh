#!/bin/sh
# Install the Debian packages the build and the tests need, when missing.
# Run as root on Debian 12; prints nothing when everything is there.
#   deps.sh [EXTRA-PACKAGE...]
set -eu
PKGS="gcc make binutils nasm pkg-config libcmocka-dev libslirp-dev qemu-system-x86 gdb tshark gnu-efi ovmf libdw-dev python3"
# extra packages a goal asks for (make fuzz: clang and its runtime)
PKGS="$PKGS $*"
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "deps: need root to install:$missing (run: sudo make deps)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists: update first when a package
# cannot be found, then install.
if ! apt-get install -y --no-install-recommends $missing; then
    apt-get update
    apt-get install -y --no-install-recommends $missing
fi
