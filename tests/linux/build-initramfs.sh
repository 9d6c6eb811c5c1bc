#!/bin/sh
# build-initramfs.sh DIR: the Linux e1000 test's kernel and initramfs,
# from Debian packages only, fetched at test time with apt-get download
# (kept in DIR/debs for the next run) and unpacked with dpkg-deb:
#   DIR/vmlinuz    linux-image-amd64's bzImage
#   DIR/initrd.gz  cpio newc, gzip: /init (tests/linux/init), the kernel's
#                  own e1000.ko, busybox-static, ethtool with the
#                  libraries ldd finds for it
#   DIR/kernel-version
# The tree is put together in a temporary directory and removed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out/debs"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/linux-initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# apt-get download PKG into the cache unless a .deb of it is there
fetch() {
    for p in "$@"; do
        ls "$out/debs/${p}_"*.deb >/dev/null 2>&1 && continue
        if ! (cd "$out/debs" && apt-get download "$p" >"$tmp/apt.log" 2>&1); then
            # a fresh machine has no package lists yet
            apt-get update >>"$tmp/apt.log" 2>&1 || true
            (cd "$out/debs" && apt-get download "$p" >>"$tmp/apt.log" 2>&1) || {
                echo "build-initramfs: apt-get download $p failed:" >&2
                cat "$tmp/apt.log" >&2
                exit 1
            }
        fi
    done
}

# linux-image-amd64 names the kernel package it stands for
fetch linux-image-amd64
meta=$(ls "$out/debs"/linux-image-amd64_*.deb | tail -n 1)
kpkg=$(dpkg-deb -f "$meta" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
[ -n "$kpkg" ] || { echo "build-initramfs: no kernel package in $meta's Depends" >&2; exit 1; }
fetch "$kpkg" busybox-static ethtool
# ethtool's own Depends besides libc6 (libmnl0 on Debian 12)
edeb=$(ls "$out/debs"/ethtool_*.deb | tail -n 1)
elibs=$(dpkg-deb -f "$edeb" Depends | tr ',' '\n' | sed -n 's/^ *\([a-z0-9.+-]*\).*/\1/p' |
        grep -v '^libc6$' || true)
fetch $elibs

x="$tmp/pkgs"
mkdir -p "$x"
for d in "$out/debs/${kpkg}_"*.deb "$out/debs"/busybox-static_*.deb "$edeb"; do
    dpkg-deb -x "$d" "$x"
done
for p in $elibs; do
    dpkg-deb -x "$(ls "$out/debs/${p}_"*.deb | tail -n 1)" "$x"
done

kver=${kpkg#linux-image-}
r="$tmp/root"
mkdir -p "$r/bin" "$r/sbin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/lib/modules" "$r/etc"
cp "$x/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" > "$out/kernel-version"
ko=$(find "$x/lib/modules/$kver" -path '*/intel/e1000/e1000.ko*' | head -n 1)
[ -n "$ko" ] || { echo "build-initramfs: no e1000.ko in $kpkg" >&2; exit 1; }
case "$ko" in
    *.xz) xz -dc "$ko" > "$r/lib/modules/e1000.ko" ;;
    *.zst) zstd -dqc "$ko" > "$r/lib/modules/e1000.ko" ;;
    *.gz) gzip -dc "$ko" > "$r/lib/modules/e1000.ko" ;;
    *) cp "$ko" "$r/lib/modules/e1000.ko" ;;
esac
cp "$x/bin/busybox" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
et=$(ls "$x/sbin/ethtool" "$x/usr/sbin/ethtool" 2>/dev/null | head -n 1)
cp "$et" "$r/sbin/ethtool"
# the libraries ldd resolves, the packages' own first, then the host's
# (libc6: the same Debian release)
libpath="$x/lib/x86_64-linux-gnu:$x/usr/lib/x86_64-linux-gnu"
LD_LIBRARY_PATH=$libpath ldd "$et" | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }' |
while read -r lib; do
    case "$lib" in
        "$x"/*) dest=${lib#"$x"} ;;
        *) dest=$lib ;;
    esac
    mkdir -p "$r$(dirname "$dest")"
    cp -L "$lib" "$r$dest"
done
[ -e "$r/lib64/ld-linux-x86-64.so.2" ] || { echo "build-initramfs: ldd gave no loader" >&2; exit 1; }
cp "$here/init" "$r/init"
cp "$here/udhcpc.script" "$r/udhcpc.script"
chmod 755 "$r/init" "$r/udhcpc.script"
python3 "$here/mkcpio.py" "$r" "$out/initrd.gz"
echo "build-initramfs: $out/vmlinuz ($kpkg), $out/initrd.gz ($(wc -c < "$out/initrd.gz") bytes)"
