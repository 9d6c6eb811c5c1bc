#!/bin/sh
# bench.sh BUILD: median wall time from start to guest exit for the boot
# test set, pcemu (KVM) next to QEMU on the same guest, in the same run.
b=$1
t=$b/tools/timeit
dir=$(dirname "$0")
runs=${BENCH_RUNS:-21}
# This host's KVM (PVM) cannot emulate int3, so QEMU under KVM stops the
# guest at the int3 test; the KVM-to-KVM comparison leaves that test out.
subset=timer_rate,page_fault_caught,heap_alloc_free,serial_scratch

row() {   # LABEL RUNS COMMAND...
    label=$1 n=$2; shift 2
    printf '  %-34s ' "$label"
    "$t" -n "$n" -- "$@"
}

echo "boot test set: median wall time from start to guest exit"
echo "machine: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
if sh "$dir/kvm-usable.sh"; then
    row "pcemu, KVM, long-mode entry" "$runs" "$b/pcemu" "$b/guest.elf"
    row "pcemu, KVM, multiboot entry" "$runs" "$b/pcemu" "$b/guest32.elf"
    row "pcemu, KVM, trivial test" "$runs" "$b/pcemu" -append tests=serial_scratch "$b/guest.elf"
else
    echo "  pcemu: not measured, /dev/kvm is missing or unusable here"
fi
row "QEMU TCG" "$runs" sh "$dir/run-on-qemu.sh" "$b/guest32.elf"
if sh "$dir/kvm-usable.sh"; then
    echo "without the int3 test ($subset):"
    row "pcemu, KVM" "$runs" "$b/pcemu" -append "tests=$subset" "$b/guest.elf"
    row "QEMU TCG" "$runs" sh "$dir/run-on-qemu.sh" "$b/guest32.elf" -append "tests=$subset"
    QEMU_ACCEL=kvm row "QEMU KVM" "${BENCH_QEMU_KVM_RUNS:-3}" \
        timeout 60 sh "$dir/run-on-qemu.sh" "$b/guest32.elf" -append "tests=$subset"
fi
