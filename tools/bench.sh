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

# BENCH_ONLY=net: the network part alone
if [ "${BENCH_ONLY:-}" != net ]; then
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

fi   # BENCH_ONLY

# ---- the network: DHCP lease, bulk TCP both ways ----
# Each direction is its own run (boot included, a few ms), BENCH_NET_RUNS
# runs each, the median row shown: the guest's MB/s (SHA-256 on both
# ends), VM exits per frame (pcemu's -stats: exits over e1000 frames both
# ways), and CPU per MB: the emulator process's user + system time
# (getrusage, through /usr/bin/time) over the megabytes moved, and the
# wall time per MB, which is the guest's CPU use per MB when it never
# halts (the stack polls while a transfer runs: -stats counts the HLTs).
h=$b/tools/netharness
net="-netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0"
bulk=${BENCH_BULK:-67108864}
nruns=${BENCH_NET_RUNS:-3}
echo "network (slirp; bulk TCP $bulk bytes a direction, SHA-256 on both ends; median of $nruns runs):"
if sh "$dir/kvm-usable.sh"; then
    row "pcemu: start to DHCP lease, exit" "$runs" "$b/pcemu" -append tests=dhcp_lease "$b/guest.elf"
fi
row "QEMU TCG: start to DHCP lease, exit" 5 sh "$dir/run-on-qemu.sh" "$b/guest32.elf" \
    -append tests=dhcp_lease
tmp=$(mktemp)
# one run: "MB/s exits/frame cpu-s halts", or nothing when it gave no figure
bulk_once() {   # pcemu|qemu TEST EXTRA-ARGS
    a="tests=$2 net.bulk=$bulk $3 @NET@" cpu="/usr/bin/time -f bench-cpu:%U:%S"
    case $1 in
    pcemu) "$h" -- $cpu "$b/pcemu" -stats $net -append "$a" "$b/guest.elf" ;;
    qemu) "$h" -- $cpu sh "$dir/run-on-qemu.sh" "$b/guest32.elf" $net -append "$a" ;;
    esac >"$tmp" 2>&1
    mbs=$(sed -n 's/^# [a-z ]* to [a-z]*: .* s, \([0-9.]*\) MB\/s.*/\1/p' "$tmp" | head -1)
    [ -n "$mbs" ] || { sed -n '/^not ok/,/\.\.\./p' "$tmp" | head -6 >&2; return; }
    epf=$(sed -n 's/^pcemu: stats: .*; \([0-9.]*\) exits per frame.*/\1/p' "$tmp")
    hlt=$(sed -n 's/^pcemu: stats: .*HLT \([0-9]*\).*/\1/p' "$tmp")
    cpu=$(sed -n 's/^bench-cpu:\([0-9.]*\):\([0-9.]*\)$/\1 \2/p' "$tmp" | awk '{ print $1 + $2 }')
    echo "$mbs ${epf:--} ${cpu:-0} ${hlt:--}"
}
bulk_row() {    # LABEL pcemu|qemu TEST EXTRA-ARGS
    res=$(for i in $(seq "$nruns"); do bulk_once "$2" "$3" "$4"; done | sort -n)
    n=$(printf '%s\n' "$res" | grep -c .)
    if [ "$n" = 0 ]; then
        printf '  %-40s no result (see a run by hand)\n' "$1"
        return
    fi
    printf '%s\n' "$res" | sed -n "$(( (n + 1) / 2 ))p" | awk -v l="$1" -v mb="$bulk" '{
        m = mb / 1e6
        printf "  %-40s %6.1f MB/s  %5s exits/frame  %6.1f ms CPU/MB  %5.1f ms wall/MB  HLT %s\n",
            l, $1, $2, $3 * 1000 / m, 1000 / $1, $4 }'
}
for dirn in to_host from_host; do
    case $dirn in to_host) what="guest to host";; *) what="host to guest";; esac
    if sh "$dir/kvm-usable.sh"; then
        bulk_row "$what, pcemu KVM" pcemu "tcp_bulk_$dirn" ""
        bulk_row "$what, pcemu KVM, net.tso=0" pcemu "tcp_bulk_$dirn" net.tso=0
    fi
    bulk_row "$what, QEMU TCG" qemu "tcp_bulk_$dirn" ""
done
rm -f "$tmp"

# ---- Linux's own e1000 driver (tests/linux): boot to lease, 32 MiB over
# HTTP, QEMU TCG and pcemu's interpreter in the same run ----
[ "${BENCH_ONLY:-}" = net ] && exit 0
echo "Debian's Linux with its e1000.ko (tests/linux; wall time, guest-clock milestones):"
LINUX_ON="qemu interp" sh "$dir/../tests/linux/run.sh" "$b" 2>&1 |
    sed -n 's/^linux-test: \([a-z-]*\): \([0-9.]* s wall; .*\)$/  \1: \2/p'
