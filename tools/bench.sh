#!/bin/sh
# bench.sh BUILD: median wall time from start to guest exit for the boot
# test set, pcemu (KVM) next to QEMU on the same guest, in the same run.
b=$1
t=$b/tools/timeit
dir=$(dirname "$0")
runs=${BENCH_RUNS:-21}
echo "boot test set, wall time from start to guest exit (machine: $(nproc) cores, $(uname -r))"
if sh "$dir/kvm-usable.sh"; then
    printf '  %-24s ' "pcemu KVM:"
    "$t" -n "$runs" -- "$b/pcemu" -display none "$b/guest.elf"
    printf '  %-24s ' "pcemu KVM (multiboot):"
    "$t" -n "$runs" -- "$b/pcemu" -display none "$b/guest32.elf"
else
    echo "  pcemu: not measured, /dev/kvm is missing or unusable here"
fi
printf '  %-24s ' "QEMU TCG:"
"$t" -n "$runs" -- sh "$dir/run-on-qemu.sh" "$b/guest32.elf"
if sh "$dir/kvm-usable.sh"; then
    printf '  %-24s ' "QEMU KVM:"
    QEMU_ACCEL=kvm "$t" -n "${BENCH_QEMU_KVM_RUNS:-3}" -- sh "$dir/run-on-qemu.sh" "$b/guest32.elf"
fi
