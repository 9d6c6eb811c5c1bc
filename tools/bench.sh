#!/bin/sh
# bench.sh BUILD: median wall time from start to guest exit for the boot
# test set, pcemu (KVM and its interpreter) next to QEMU on the same
# guest, in the same run; the interpreter's instructions per second on a
# loop of known length next to QEMU TCG's and KVM's.
b=$1
t=$b/tools/timeit
dir=$(dirname "$0")
runs=${BENCH_RUNS:-21}
# This host's KVM (PVM) cannot emulate int3, so QEMU under KVM stops the
# guest at the int3 test; the KVM-to-KVM comparison leaves that test out.
subset=timer_rate,page_fault_caught,heap_alloc_free,serial_scratch
# the boot test set: the first three self-tests (the timer, int3, #PF)
bootset=timer_rate,int3_handler,page_fault_caught

row() {   # LABEL RUNS COMMAND...
    label=$1 n=$2; shift 2
    printf '  %-34s ' "$label"
    "$t" -n "$n" -- "$@"
}

median_ms() {   # RUNS COMMAND...: the median wall time, in ms
    n=$1; shift
    "$t" -n "$n" -- "$@" | sed 's/ ms median.*//'
}

# the instructions pcemu's interpreter counts for a guest command line
insns() {
    "$b/pcemu" -accel interp -stats -append "$1" "$b/guest.elf" 2>&1 |
        sed -n 's/^pcemu: stats: .*; \([0-9]*\) instructions$/\1/p'
}

echo "median wall time from start to guest exit (target for the boot test set: 10 ms)"
echo "machine: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "boot test set ($bootset):"
if sh "$dir/kvm-usable.sh"; then
    row "pcemu, KVM" "$runs" "$b/pcemu" -append "tests=$bootset" "$b/guest.elf"
    row "pcemu, KVM, one trivial test" "$runs" "$b/pcemu" -append tests=serial_scratch "$b/guest.elf"
else
    echo "  pcemu: not measured, /dev/kvm is missing or unusable here"
fi
row "pcemu, interpreter" "$runs" "$b/pcemu" -accel interp -append "tests=$bootset" "$b/guest.elf"
row "pcemu, interp, one trivial test" "$runs" \
    "$b/pcemu" -accel interp -append tests=serial_scratch "$b/guest.elf"
row "QEMU TCG" "$runs" sh "$dir/run-on-qemu.sh" "$b/guest32.elf" -append "tests=$bootset"
echo "every self-test that needs no host harness:"
if sh "$dir/kvm-usable.sh"; then
    row "pcemu, KVM, long-mode entry" "$runs" "$b/pcemu" "$b/guest.elf"
    row "pcemu, KVM, multiboot entry" "$runs" "$b/pcemu" "$b/guest32.elf"
fi
row "pcemu, interpreter" "$runs" "$b/pcemu" -accel interp "$b/guest.elf"
row "QEMU TCG" "$runs" sh "$dir/run-on-qemu.sh" "$b/guest32.elf"
if sh "$dir/kvm-usable.sh"; then
    echo "without the int3 test ($subset):"
    row "pcemu, KVM" "$runs" "$b/pcemu" -append "tests=$subset" "$b/guest.elf"
    row "QEMU TCG" "$runs" sh "$dir/run-on-qemu.sh" "$b/guest32.elf" -append "tests=$subset"
    QEMU_ACCEL=kvm row "QEMU KVM" "${BENCH_QEMU_KVM_RUNS:-3}" \
        timeout 60 sh "$dir/run-on-qemu.sh" "$b/guest32.elf" -append "tests=$subset"
fi

# ---- instructions per second: cpu_compute, a loop of known length ----
# MIPS = the instructions pcemu's interpreter counts for the test, less
# those of a run of one iteration, over the difference of the two wall
# times: boot and exit are left out. QEMU does not count: its figure is
# pcemu's count over QEMU's time for the same test (the loop is the same
# code on both).
iters=${BENCH_ITERS:-10000000}
crun=${BENCH_COMPUTE_RUNS:-5}
long="tests=cpu_compute compute.iters=$iters" short="tests=cpu_compute compute.iters=1"
n_long=$(insns "$long") n_short=$(insns "$short")
mips() {   # LABEL COMMAND... (the guest command line is appended)
    label=$1; shift
    t1=$(median_ms "$crun" "$@" -append "$long") t0=$(median_ms "$crun" "$@" -append "$short")
    awk -v l="$label" -v t1="$t1" -v t0="$t0" -v n="$((n_long - n_short))" 'BEGIN {
        printf "  %-34s %9.1f ms (one iteration: %.1f ms) %7.0f MIPS\n", l, t1, t0,
            n / ((t1 - t0) * 1000) }'
}
echo "cpu_compute, $iters iterations: $((n_long - n_short)) instructions more than one" \
     "(median of $crun runs each):"
mips "pcemu, interpreter" "$b/pcemu" -accel interp "$b/guest.elf"
mips "QEMU TCG" sh "$dir/run-on-qemu.sh" "$b/guest32.elf"
if sh "$dir/kvm-usable.sh"; then
    mips "pcemu, KVM" "$b/pcemu" "$b/guest.elf"
fi

# ---- the network: DHCP lease, bulk TCP both ways, packets per second ----
h=$b/tools/netharness
net="-netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0"
bulk=${BENCH_BULK:-67108864}
echo "network (slirp; bulk TCP $bulk bytes each way with SHA-256 on both ends):"
if sh "$dir/kvm-usable.sh"; then
    row "pcemu: start to DHCP lease, exit" "$runs" "$b/pcemu" -append tests=dhcp_lease "$b/guest.elf"
fi
row "QEMU TCG: start to DHCP lease, exit" 5 sh "$dir/run-on-qemu.sh" "$b/guest32.elf" \
    -append tests=dhcp_lease
# bulk: the guest reports MB/s and packets/s; pcemu's -stats the exits
bulk_run() {   # LABEL COMMAND...
    label=$1; shift
    "$h" -- "$@" >"$tmp" 2>&1
    for dirn in "guest to host" "host to guest"; do
        line=$(grep -m1 "^# $dirn: " "$tmp" | sed 's/^# //')
        printf '  %-34s %s\n' "$label" "${line:-no result (see a run by hand)}"
    done
    st=$(grep -m1 '^pcemu: stats:' "$tmp" | sed 's/^pcemu: stats: //')
    [ -n "$st" ] && printf '  %-34s %s\n' "$label" "$st"
}
tmp=$(mktemp)
tests="tests=tcp_bulk_to_host,tcp_bulk_from_host net.bulk=$bulk @NET@"
if sh "$dir/kvm-usable.sh"; then
    bulk_run "pcemu, KVM" "$b/pcemu" -stats $net -append "$tests" "$b/guest.elf"
fi
bulk_run "QEMU TCG" sh "$dir/run-on-qemu.sh" "$b/guest32.elf" $net -append "$tests"
rm -f "$tmp"

# ---- Linux's own e1000 driver (tests/linux): boot to lease, 32 MiB over
# HTTP, QEMU TCG and pcemu's interpreter in the same run ----
echo "Debian's Linux with its e1000.ko (tests/linux; wall time, guest-clock milestones):"
LINUX_ON="qemu interp" sh "$dir/../tests/linux/run.sh" "$b" 2>&1 |
    sed -n 's/^linux-test: \([a-z-]*\): \([0-9.]* s wall; .*\)$/  \1: \2/p'
