#!/bin/sh
# Real gdb against pcemu's stub: a breakpoint on the e1000 driver's probe,
# the backtrace with source lines, stepping, reading and writing a
# variable, `monitor info pci`, and the guest still passing afterwards.
# Usage: gdb.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
port=$((20000 + $$ % 20000))

"$b/pcemu" -S -gdb "tcp::$port" "$b/guest.elf" >"$TMP/guest.log" 2>&1 &
pid=$!
timeout 60 gdb -batch -nx \
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
    -ex 'continue' \
    "$b/guest.elf" >"$TMP/gdb.log" 2>&1
wait $pid; st=$?

expect_grep "gdb: stops at the breakpoint on e1000_probe" "^Breakpoint 1(\.[0-9]+)?, e1000_probe \(" "$TMP/gdb.log"
expect_grep "gdb: backtrace reaches kernel_main with source lines" "in kernel_main \(.*\) at guest/kernel/main.c:[0-9]+" "$TMP/gdb.log"
expect_grep "gdb: backtrace shows the driver core's probe call" "in try_driver \(.*\) at guest/drivers/driver_core.c:[0-9]+" "$TMP/gdb.log"
expect_grep "gdb: next moves to a later line of e1000_probe" "^Line [0-9]+ of \"guest/drivers/e1000.c\"" "$TMP/gdb.log"
expect_grep "gdb: reads a variable" '^\$1 = 1$' "$TMP/gdb.log"
expect_grep "gdb: writes a variable" '^\$2 = 41$' "$TMP/gdb.log"
expect_grep "gdb: monitor info pci shows the e1000" "Ethernet controller: PCI device 8086:100e" "$TMP/gdb.log"
expect_status "gdb: the guest still passes after the session" 1 $st
expect_grep "gdb: every self-test passed" "^# [0-9]+ passed, 0 failed" "$TMP/guest.log"
finish gdb
