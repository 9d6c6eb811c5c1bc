#!/bin/sh
# The guest on pcemu (or on QEMU with RUNNER=qemu): verdicts, both boot
# paths, injected failures and crashes reported with vector and RIP, and
# pcemu's own exit statuses. ACCEL="-accel interp" runs pcemu on its
# interpreter, with BULK bytes each way in the harness's bulk tests
# (TSO0_BULK, at most 8 MiB, in the run with net.tso=0).
# Usage: guest.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
tools=$(dirname "$0")/../../tools
runner=${RUNNER:-pcemu}
accel=${ACCEL:-}
bulk=${BULK:-67108864}
tso0_bulk=${TSO0_BULK:-$((bulk < 8388608 ? bulk : 8388608))}
[ "$runner" = pcemu ] && [ -n "$accel" ] && runner="pcemu $accel"
pcemu() { "$b/pcemu" $accel "$@"; }

# run LOG [pcemu args...]: the guest on the chosen runner; sets $st
run() {
    log=$1; shift
    if [ "$runner" = qemu ]; then
        timeout 300 sh "$tools/run-on-qemu.sh" "$b/guest32.elf" "$@" >"$log" 2>&1
    else
        timeout 300 "$b/pcemu" $accel -display none "$@" "$b/guest.elf" >"$log" 2>&1
    fi
    st=$?
}

tap_ok() {   # NAME LOG STATUS: the run passed by tap-check
    if v=$(sh "$tools/tap-check.sh" "$2" "$3"); then pass "$1: $v"
    else fail "$1" "$v" "$(tail -15 "$2")"; fi
}

run "$TMP/all.log"
tap_ok "$runner: every self-test passes" "$TMP/all.log" $st
# CPL 3 only where pcemu says the host emulates CPL 0 (PVM's KVM)
if [ "$runner" = pcemu ] && [ -e /sys/module/kvm_pvm ] && sh "$tools/kvm-usable.sh"; then
    expect_grep "$runner: the self-tests ran at CPL 3 (this host's KVM emulates CPL 0)" \
        "^# self-tests at CPL 3: this host emulates CPL 0" "$TMP/all.log"
else
    expect_no_grep "$runner: the self-tests ran at CPL 0" "^# self-tests at CPL 3" "$TMP/all.log"
fi
run "$TMP/cpl0.log" -append "usermode=0"
tap_ok "$runner: every self-test passes at CPL 0 (usermode=0)" "$TMP/cpl0.log" $st
expect_no_grep "$runner: usermode=0 keeps them at CPL 0" "^# self-tests at CPL 3" "$TMP/cpl0.log"
run "$TMP/cpl3.log" -append "usermode=1"
tap_ok "$runner: every self-test passes at CPL 3 (usermode=1)" "$TMP/cpl3.log" $st
expect_grep "$runner: usermode=1 runs them at CPL 3" "^# self-tests at CPL 3: usermode=1" \
    "$TMP/cpl3.log"
expect_grep "$runner: TAP version 13 header" "^TAP version 13$" "$TMP/all.log"
for t in timer_rate int3_handler page_fault_caught; do
    expect_grep "$runner: test $t ran and passed" "^ok [0-9]+ - $t$" "$TMP/all.log"
done

# A failing test fails the run, with what was expected and what was seen.
sh "$tools/run-guest-tests.sh" "$b/pcemu" "$b/guest.elf" -append "selftest.inject=fail net.bulk=$bulk" $accel \
    >"$TMP/fail.log" 2>&1
rgt=$?
if [ $rgt -ne 0 ]; then pass "run-guest-tests fails when a guest test fails"
else fail "run-guest-tests fails when a guest test fails" "it exited 0"; fi
expect_grep "a failing test is reported not ok" "^not ok [0-9]+ - " "$TMP/fail.log"
expect_grep "the failure says what was expected" "^ +expected: " "$TMP/fail.log"
expect_grep "the failure says what was seen" "^ +got: " "$TMP/fail.log"

# The same through the make target users run (from the top of the tree,
# as make check runs these scripts).
if [ -z "$accel" ]; then
    make -s --no-print-directory BUILD="$b" run-guest-tests GUEST_APPEND="tests=timer_rate" \
        >"$TMP/make-pass.log" 2>&1
    expect_status "make run-guest-tests exits 0 when the tests pass" 0 $?
    make -s --no-print-directory BUILD="$b" run-guest-tests GUEST_APPEND="selftest.inject=fail" \
        >"$TMP/make-fail.log" 2>&1
    if [ $? -ne 0 ]; then pass "make run-guest-tests fails when a guest test fails"
    else fail "make run-guest-tests fails when a guest test fails" "it exited 0"; fi
    expect_grep "make run-guest-tests shows the failure" "^not ok [0-9]+ - " "$TMP/make-fail.log"
fi

# An ELF64 without the pcemu note boots the multiboot way, as GRUB would;
# the memory map and -m agree on either path, RAM above 4 GiB included.
if [ "$runner" != qemu ]; then
    for g in guest.elf guest32.elf; do
        timeout 300 "$b/pcemu" $accel -m 5G -append "tests=boot_info boot.ram_mib=5120" "$b/$g" \
            >"$TMP/mem.log" 2>&1
        tap_ok "pcemu -m 5G: the $g memory map says 5120 MiB" "$TMP/mem.log" $?
    done
    objcopy --remove-section=.note.pcemu "$b/guest.elf" "$TMP/nonote.elf"
    timeout 300 "$b/pcemu" $accel -append "tests=timer_rate,pci_bindings,boot_info" "$TMP/nonote.elf" \
        >"$TMP/nonote.log" 2>&1
    st=$?
    tap_ok "pcemu: an ELF64 without the note passes" "$TMP/nonote.log" $st
    expect_grep "pcemu: ... booted via multiboot" "^# pcemu guest: booted via multiboot" \
        "$TMP/nonote.log"
fi

# tests= selects
run "$TMP/sel.log" -append "tests=int3_handler"
tap_ok "$runner: tests= runs only the named test" "$TMP/sel.log" $st
expect_grep "$runner: tests= plan is 1" "^1\.\.1$" "$TMP/sel.log"

# An unexpected exception is reported with its vector and RIP.
sym() { nm "$b/guest.elf" | awk -v s="$1" '$3 == s { print $1 }'; }
check_crash() {   # MODE VECTOR SYMBOL
    run "$TMP/$1.log" -append "selftest.inject=$1"
    expect_status "$runner: unexpected $1 ends with the failing verdict" 3 $st
    line=$(grep -Eo "exception [^ ]+ \(vector $2\) at rip 0x[0-9a-f]+" "$TMP/$1.log" | head -1)
    if [ -z "$line" ]; then
        fail "$runner: $1 reported with vector $2 and RIP" "$(tail -20 "$TMP/$1.log")"
        return
    fi
    rip=$(echo "$line" | sed 's/.*rip 0x//')
    start=$(sym "$3")
    # the RIP must lie in the function that faulted (within 256 bytes)
    if [ -n "$start" ] && [ $((0x$rip - 0x$start)) -ge 0 ] && [ $((0x$rip - 0x$start)) -lt 256 ]; then
        pass "$runner: $1 reported as '$line', inside $3"
    else
        fail "$runner: $1 RIP inside $3" "$line; $3 at 0x$start"
    fi
    expect_grep "$runner: $1 bails out of TAP" "^Bail out!" "$TMP/$1.log"
}
check_crash ud 6 inject_ud
check_crash pf 14 inject_pf

[ "$runner" = qemu ] && { finish "system ($runner)"; exit $?; }

# ---- pcemu only ----
# the main job: every self-test, the network ones with the host harness
sh "$tools/run-guest-tests.sh" "$b/pcemu" "$b/guest.elf" -append "net.bulk=$bulk" $accel \
    >"$TMP/main.log" 2>&1; st=$?
expect_status "run-guest-tests passes" 0 $st
for t in udp_echo dns_lookup tcp_echo_1mib tcp_bulk_to_host tcp_bulk_from_host tcp_inbound \
         tcp_refused tcp_timeout tcp_checksum_paths tcp_loss_recovery; do
    expect_grep "run-guest-tests ran $t" "^ok [0-9]+ - $t\$" "$TMP/main.log"
done
expect_grep "run-guest-tests: $bulk bytes each way" "^# guest to host: $bulk bytes" "$TMP/main.log"
expect_grep "run-guest-tests: the harness saw the same SHA-256" "^netharness: sink: $bulk bytes received" "$TMP/main.log"
# The stack cutting its own segments (net.tso=0, issue 16): the tests
# of how TCP sends pass without the NIC's segmentation offload too, and
# the driver then offers none (e1000_tso_loopback checks that).
tso0_tests=tcp_checksum_paths,tcp_loss_recovery,tcp_bulk_to_host,e1000_tso_loopback
sh "$tools/run-guest-tests.sh" "$b/pcemu" "$b/guest.elf" \
    -append "tests=$tso0_tests net.bulk=$tso0_bulk net.tso=0" $accel >"$TMP/tso0.log" 2>&1
expect_status "net.tso=0: the TCP tests pass without segmentation offload" 0 $?
for t in $(echo "$tso0_tests" | tr , ' '); do
    expect_grep "net.tso=0: $t ran and passed" "^ok [0-9]+ - $t\$" "$TMP/tso0.log"
done
expect_grep "net.tso=0: the harness saw the same SHA-256" \
    "^netharness: sink: $tso0_bulk bytes received" "$TMP/tso0.log"
run "$TMP/noharness.log"
expect_grep "pcemu: without the harness the network tests say they are not planned" \
    "^# [0-9]+ network tests need the host harness" "$TMP/noharness.log"

pcemu -display none "$b/guest32.elf" >"$TMP/mb.log" 2>&1; st=$?
tap_ok "pcemu: the ELF32 copy boots through multiboot and passes" "$TMP/mb.log" $st
expect_grep "pcemu: the multiboot path was taken" "^# .*multiboot" "$TMP/mb.log"
expect_grep "pcemu: the long-mode entry path was taken for ELF64" "^# .*pcemu" "$TMP/all.log"

"$b/san/pcemu" $accel -display none "$b/guest.elf" >"$TMP/san.log" 2>&1; st=$?
tap_ok "pcemu under ASan+UBSan runs the guest cleanly" "$TMP/san.log" $st
if grep -q "runtime error\|AddressSanitizer" "$TMP/san.log"; then
    fail "no sanitizer reports" "$(grep -m3 "runtime error\|AddressSanitizer" "$TMP/san.log")"
else pass "no sanitizer reports"; fi

run "$TMP/triple.log" -append "selftest.inject=triple"
expect_status "pcemu: a triple fault exits with status 4" 4 $st
expect_grep "pcemu: the triple fault is named" "^pcemu: guest triple fault" "$TMP/triple.log"
expect_grep "pcemu: the registers are printed" "^RIP=[0-9a-f]{16}" "$TMP/triple.log"

run "$TMP/halt.log" -append "selftest.inject=halt"
expect_status "pcemu: cli;hlt exits with status 6" 6 $st
expect_grep "pcemu: the dead halt is named" "^pcemu: guest halted with interrupts disabled" "$TMP/halt.log"

pcemu -serial "file:$TMP/serial.txt" "$b/guest.elf" >"$TMP/stdout.txt" 2>&1; st=$?
tap_ok "pcemu: -serial file: writes the TAP to the file" "$TMP/serial.txt" $st
if [ -s "$TMP/stdout.txt" ]; then fail "pcemu: -serial file: leaves stdout empty" "$(head -3 "$TMP/stdout.txt")"
else pass "pcemu: -serial file: leaves stdout empty"; fi

run "$TMP/unassigned.log" -machine unassigned-bars=on
tap_ok "pcemu: with BARs left unassigned the guest assigns them and passes" "$TMP/unassigned.log" $st
expect_grep "pcemu: the guest put BAR0 in its MMIO window" "^#   BAR0 mem32 at 0xe0000000, 131072 bytes" "$TMP/unassigned.log"
run "$TMP/barmoves.log" -append "tests=pci_bar0_moves"
tap_ok "pcemu: BAR0 moved 64 times, the multicast table reads back at each place" "$TMP/barmoves.log" $st
expect_grep "pcemu: firmware placement by default" "^#   BAR0 mem32 at 0xfebc0000, 131072 bytes" "$TMP/all.log"
expect_grep "pcemu: the e1000 is bound to its driver" "^# pci 00:03.0 8086:100e class 0200 Ethernet controller, irq 11 pin A, driver e1000" "$TMP/all.log"

run "$TMP/big.log" -m 4G
tap_ok "pcemu: -m 4G (RAM above 4 GiB) boots and passes" "$TMP/big.log" $st
expect_grep "pcemu: the guest sees 4096 MiB" "4096 MiB" "$TMP/big.log"

# A reader that goes away must not kill pcemu with SIGPIPE.
{ pcemu "$b/guest.elf" 2>"$TMP/pipe.err"; echo $? > "$TMP/pipe.st"; } | head -c 10 >/dev/null
if [ "$(cat "$TMP/pipe.st")" = 1 ]; then pass "pcemu: closed stdout is survived, verdict kept"
else fail "pcemu: closed stdout is survived, verdict kept" \
    "expected exit status 1, got $(cat "$TMP/pipe.st")" "$(cat "$TMP/pipe.err")"; fi

# SIGTERM while the guest is held: a clean exit, status 130.
mkfifo "$TMP/hold"
"$b/pcemu" $accel -S -monitor stdio -serial none "$b/guest.elf" <"$TMP/hold" >/dev/null 2>"$TMP/term.err" &
pid=$!
exec 9>"$TMP/hold"
sleep 0.3
kill -TERM $pid
wait $pid; st=$?
exec 9>&-
expect_status "pcemu: SIGTERM ends the run with status 130" 130 $st
expect_grep "pcemu: the signal is named" "^pcemu: stopped by signal 15" "$TMP/term.err"

finish "system ($runner)"
