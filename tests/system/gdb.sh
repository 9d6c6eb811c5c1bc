#!/bin/sh
# Real gdb against pcemu's stub: breakpoints on the e1000 driver's probe
# and transmit functions (e1000_queue, e1000_flush), the backtrace with source lines, stepping,
# reading and writing a variable, `monitor info pci`, a watchpoint on a
# driver variable, Ctrl-C stopping a running guest, and the guest still
# passing afterwards.
# ACCEL="-accel interp" runs pcemu on its interpreter.
# Usage: gdb.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
port=$((20000 + $$ % 20000))
pcemu() { "$b/pcemu" $ACCEL "$@"; }

pcemu -S -gdb "tcp::$port" "$b/guest.elf" >"$TMP/guest.log" 2>&1 &
pid=$!
timeout 60 gdb -batch -nx -x tools/e1000.gdb \
    -ex "target remote :$port" \
    -ex 'break e1000_probe' \
    -ex 'continue' \
    -ex 'bt' \
    -ex 'next' \
    -ex 'next' \
    -ex 'info line *$pc' \
    -ex 'print e1000_probe_calls' \
    -ex 'set var e1000_probe_calls = 41' \
    -ex 'print e1000_probe_calls' \
    -ex 'monitor info pci' \
    -ex 'delete' \
    -ex 'break e1000_queue' \
    -ex 'continue' \
    -ex 'bt' \
    -ex 'delete' \
    -ex 'break e1000_flush' \
    -ex 'continue' \
    -ex 'delete' \
    -ex "watch -l 'e1000_pci.c'::first_nic->txd[0].status" \
    -ex 'continue' \
    -ex 'e1000' \
    -ex 'delete' \
    -ex 'continue' \
    "$b/guest.elf" >"$TMP/gdb.log" 2>&1
wait $pid; st=$?

expect_grep "gdb: stops at the breakpoint on e1000_probe" "^Breakpoint 1(\.[0-9]+)?, e1000_probe \(" "$TMP/gdb.log"
expect_grep "gdb: backtrace reaches the kernel's top with source lines" "in run_tests \(.*\) at guest/kernel/main.c:[0-9]+" "$TMP/gdb.log"
expect_grep "gdb: backtrace shows the driver core's probe call" "in try_driver \(.*\) at guest/drivers/driver_core.c:[0-9]+" "$TMP/gdb.log"
expect_grep "gdb: next moves to a later line of e1000_probe" "^Line [0-9]+ of \"guest/drivers/e1000_pci.c\"" "$TMP/gdb.log"
expect_grep "gdb: reads a variable" '^\$1 = 1$' "$TMP/gdb.log"
expect_grep "gdb: writes a variable" '^\$2 = 41$' "$TMP/gdb.log"
expect_grep "gdb: monitor info pci shows the e1000" "Ethernet controller: PCI device 8086:100e" "$TMP/gdb.log"
expect_grep "gdb: stops at the breakpoint on the transmit function" "^Breakpoint 2(\.[0-9]+)?, e1000_queue \(" "$TMP/gdb.log"
expect_grep "gdb: the transmit backtrace shows the network stack" "in [a-z_]+ \(.*\) at guest/net/[a-z_]+\.c:[0-9]+" "$TMP/gdb.log"
expect_grep "gdb: tools/e1000.gdb shows the device's TX ring" "^TX ring: base 0x[0-9a-f]+, 256 descriptors, TDH 1, TDT 1" "$TMP/gdb.log"
expect_grep "gdb: the device's view has the sent descriptor done" "^  \[  0\] addr 0x[0-9a-f]+ len [0-9]+ cmd 0x8b \(EOP IFCS RS IDE\) sta 0x1 \(DD\)" "$TMP/gdb.log"
expect_grep "gdb: tools/e1000.gdb shows the driver's view" "^TX ring at 0x[0-9a-f]+: next to fill 1" "$TMP/gdb.log"
expect_status "gdb: the guest still passes after the session" 1 $st
expect_grep "gdb: every self-test passed" "^# [0-9]+ passed, 0 failed" "$TMP/guest.log"

# session N GDB-COMMAND...: pcemu held at its first instruction, gdb in
# batch mode running the commands; logs in guestN.log and gdbN.log, the
# guest's exit status in $st
session() {
    n=$1; shift
    pcemu -S -gdb "tcp::$port" "$b/guest.elf" >"$TMP/guest$n.log" 2>&1 &
    pid=$!
    cmds=""
    for c in "$@"; do cmds="$cmds -ex '$c'"; done
    eval timeout 60 gdb -batch -nx -ex "'target remote :$port'" $cmds '"$b/guest.elf"' \
        >"$TMP/gdb$n.log" 2>&1
    wait $pid; st=$?
}

# A watchpoint on a driver variable, from the first instruction: the page
# it lives on is trapped, since this host's KVM ignores DR7 (cpu/watch.h).
session 2 'watch e1000_probe_calls' 'continue' 'delete' 'continue'
expect_grep "gdb: the watchpoint is accepted" "^Hardware watchpoint 1: e1000_probe_calls" "$TMP/gdb2.log"
expect_grep "gdb: the watchpoint fires with the new value" "^New value = 1$" "$TMP/gdb2.log"
expect_grep "gdb: it fires in the driver's probe" "^e1000_probe \(.*\) at guest/drivers/e1000_pci.c:[0-9]+" "$TMP/gdb2.log"
expect_status "gdb: the guest passes after the watchpoint" 1 $st

# An access watchpoint makes its page a hole: the read-modify-write of
# e1000_probe_calls++ comes out as two MMIO exits, and both must land.
session 4 'awatch e1000_probe_calls' 'continue' 'print e1000_probe_calls' 'delete' 'continue'
expect_grep "gdb: an access watchpoint fires" "^Hardware access \(read/write\) watchpoint 1: e1000_probe_calls" "$TMP/gdb4.log"
expect_grep "gdb: the read-modify-write under it completed" '^\$1 = 1$' "$TMP/gdb4.log"
expect_status "gdb: the guest passes after the access watchpoint" 1 $st

# Ctrl-C: SIGINT to gdb while the guest runs (waiting 20 s for a link
# change that never comes) sends the interrupt byte; the guest stops where
# it is.
# PVM hands a CPL 3 single step's #DB to the guest; pcemu undoes that
# (debug/gdb_step.c), so stepping stays in the code that was stopped, at
# CPL 3 there and at CPL 0 elsewhere.
pvm=0
[ -e /sys/module/kvm_pvm ] && [ -z "$ACCEL" ] && sh "$(dirname "$0")/../../tools/kvm-usable.sh" && pvm=1
want_cs=8
[ $pvm = 1 ] && want_cs=51
pcemu -S -gdb "tcp::$port" -append "tests=e1000_link_flap" "$b/guest.elf" \
    >"$TMP/guest3.log" 2>&1 &
pid=$!
timeout 60 gdb -batch -nx -ex "target remote :$port" -ex "set \$want_cs = $want_cs" \
    -x "$(dirname "$0")/gdb/ctrlc.gdb" "$b/guest.elf" >"$TMP/gdb3.log" 2>&1 &
gpid=$!
# wait until the guest is in its wait loop, then press Ctrl-C
for i in $(seq 1 100); do
    grep -q "waiting for the link to go down" "$TMP/guest3.log" && break
    sleep 0.1
done
sleep 0.3
kill -INT $(pgrep -P $gpid -x gdb 2>/dev/null || echo $gpid) 2>/dev/null
wait $gpid
wait $pid
expect_grep "gdb: Ctrl-C stops the running guest" "^Program received signal SIGINT" "$TMP/gdb3.log"
expect_grep "gdb: the guest stopped inside the running test" "^#[0-9]+ .*selftest_e1000_link_flap \(" "$TMP/gdb3.log"
if [ $pvm = 1 ]; then
    expect_grep "gdb: stepi at CPL 3 stays at CPL 3" "^after stepping: cs=51, stopped with cs=51$" "$TMP/gdb3.log"
else
    expect_grep "gdb: stepi at CPL 0 stays at CPL 0" "^after stepping: cs=8, stopped with cs=8$" "$TMP/gdb3.log"
fi
where=$(grep -A1 "^stepped to:" "$TMP/gdb3.log" | tail -1)
case $where in
*isr_*|*trap_common*|"") fail "gdb: the steps end in the code that was stopped" "$where" ;;
*) pass "gdb: the steps end in the code that was stopped ($where)" ;;
esac
finish "gdb${ACCEL:+ ($ACCEL)}"
