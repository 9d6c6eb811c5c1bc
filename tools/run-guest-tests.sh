#!/bin/sh
# run-guest-tests.sh PCEMU GUEST.elf [pcemu options...]
# Runs the guest's self-tests on pcemu under KVM, showing the TAP as it
# comes, and exits 0 only when every test passed.
pcemu=$1 guest=$2; shift 2
dir=$(dirname "$0")
log=$(mktemp) status_file=$(mktemp)
trap 'rm -f "$log" "$status_file"' EXIT

if sh "$dir/kvm-usable.sh"; then
    { "$pcemu" -display none -serial stdio -no-reboot "$@" "$guest"; echo $? > "$status_file"; } | tee "$log"
    runner=pcemu
else
    echo "################################################################"
    echo "# /dev/kvm is missing or unusable here, and pcemu has no        #"
    echo "# interpreter yet: running the guest on QEMU TCG instead.       #"
    echo "# This is NOT a pcemu result.                                   #"
    echo "################################################################"
    { sh "$dir/run-on-qemu.sh" "${guest%.elf}32.elf" "$@"; echo $? > "$status_file"; } | tee "$log"
    runner="QEMU TCG (no KVM here, pcemu not run)"
fi
printf '%s: ' "$runner"
sh "$dir/tap-check.sh" "$log" "$(cat "$status_file")"
