#!/bin/sh
# The same guest on QEMU (TCG) and on pcemu: both must pass, and both must
# report the same tests with the same results. Usage: run.sh BUILD
. "$(dirname "$0")/../system/lib.sh"
b=$1
tools=$(dirname "$0")/../../tools

results() {   # the ok/not ok lines, names only, in order
    grep -E '^(not )?ok [0-9]+ - ' "$1" | sed 's/ #.*//'
}

# run_both NAME APPEND: QEMU and pcemu with the same command line, each
# with the host harness's servers for the network tests: pcemu under KVM
# where it works, and on its interpreter always (with 1 MiB each way in
# the bulk tests there, to keep make check short)
net="-netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0"
interp_bulk=${INTERP_BULK:-1048576}
run_pcemu() {   # LABEL LOG APPEND PCEMU-ARGS...: sets ok_LABEL
    label=$1 log=$2 append=$3; shift 3
    timeout 600 "$b/tools/netharness" -- "$b/pcemu" -display none $net "$@" \
        -append "$append @NET@" "$b/guest.elf" >"$log" 2>&1
    st=$?
    if sh "$tools/tap-check.sh" "$log" $st >"$log.verdict"; then eval "ok_$label=1"
    else eval "ok_$label=0"; fi
    results "$TMP/qemu.log" > "$TMP/qemu.res"
    results "$log" > "$log.res"
    if cmp -s "$TMP/qemu.res" "$log.res" && [ -s "$TMP/qemu.res" ]; then
        pass "$name: QEMU and pcemu ($label) report the same results ($(wc -l < "$TMP/qemu.res") tests)"
    else
        fail "$name: QEMU and pcemu ($label) differ" "$(diff "$TMP/qemu.res" "$log.res")"
    fi
}
run_qemu() {   # APPEND: sets qst
    timeout 600 "$b/tools/netharness" -- sh "$tools/run-on-qemu.sh" "$b/guest32.elf" $net \
        -append "$1 @NET@" >"$TMP/qemu.log" 2>&1
    qst=$?
}
# QEMU TCG times its PIT and TSC by the host's clock: on a loaded host
# its timer_rate can fail. That is the reference's weakness, not pcemu's,
# so a run whose only failure is that is made once more, and says so.
only_timer_failed() {
    [ "$(grep -E '^not ok [0-9]+ - ' "$TMP/qemu.log" | grep -cvE ' - (timer_rate|tsc_rate)$')" = 0 ] &&
        grep -qE '^not ok [0-9]+ - (timer_rate|tsc_rate)$' "$TMP/qemu.log"
}
run_both() {
    name=$1 append=$2
    run_qemu "$append"
    if only_timer_failed; then
        echo "# QEMU TCG: only its timer test failed (host load $(cut -d' ' -f1 /proc/loadavg)); run again"
        run_qemu "$append"
    fi
    if sh "$tools/tap-check.sh" "$TMP/qemu.log" $qst >"$TMP/qemu.verdict"; then qok=1; else qok=0; fi
    [ "$KVM" = 1 ] && run_pcemu kvm "$TMP/pcemu.log" "$append" -accel kvm
    run_pcemu interp "$TMP/interp.log" "$append net.bulk=$interp_bulk" -accel interp
}

if sh "$tools/kvm-usable.sh"; then KVM=1; else
    KVM=0
    echo "################################################################"
    echo "# /dev/kvm is missing or unusable: QEMU is compared with pcemu's #"
    echo "# interpreter only; no KVM run is made.                         #"
    echo "################################################################"
fi

verdict() {   # LABEL OK LOG
    if [ "$2" = 1 ]; then pass "$1: $(cat "$3.verdict")"
    else fail "$1 run" "$(cat "$3.verdict")" "$(tail -20 "$3")"; fi
}

run_both "all self-tests" ""
for t in udp_echo dns_lookup tcp_echo_1mib tcp_bulk_to_host tcp_bulk_from_host tcp_inbound \
         tcp_refused tcp_timeout tcp_checksum_paths tcp_loss_recovery; do
    expect_grep "QEMU ran the network test $t" "^ok [0-9]+ - $t\$" "$TMP/qemu.log"
done
if [ $qok = 1 ]; then pass "QEMU TCG: $(cat "$TMP/qemu.verdict")"
else fail "QEMU TCG run" "$(cat "$TMP/qemu.verdict")" "$(tail -20 "$TMP/qemu.log")"; fi
[ "$KVM" = 1 ] && verdict "pcemu KVM" "$ok_kvm" "$TMP/pcemu.log"
verdict "pcemu interp" "$ok_interp" "$TMP/interp.log"

# A deliberate failure must read the same on both, and fail on both.
run_both "injected failure" "selftest.inject=fail"
if [ $qok = 0 ] && grep -q '^not ok' "$TMP/qemu.log"; then pass "QEMU reports the injected failure"
else fail "QEMU reports the injected failure" "$(cat "$TMP/qemu.verdict")"; fi
for label in kvm interp; do
    [ $label = kvm ] && [ "$KVM" != 1 ] && continue
    log=$TMP/pcemu.log
    [ $label = interp ] && log=$TMP/interp.log
    if [ "$(eval echo \$ok_$label)" = 0 ] && grep -q '^not ok' "$log"; then
        pass "pcemu ($label) reports the injected failure"
    else fail "pcemu ($label) reports the injected failure" "$(cat "$log.verdict")"; fi
done

# Enumeration across a PCI-to-PCI bridge, which pcemu does not model:
# QEMU with a bridge at 00:04.0 and a second e1000 behind it. The guest
# must find bus 1 through the bridge, list the NIC there, bind the driver
# to it, and still pass its PCI and e1000 tests on the NIC at 00:03.0.
timeout 120 sh "$tools/run-on-qemu.sh" "$b/guest32.elf" -netdev user,id=n0 \
    -device e1000,netdev=n0,addr=3 -device pci-bridge,id=br1,chassis_nr=1,addr=4 \
    -netdev user,id=n1 -device e1000,bus=br1,addr=2,netdev=n1,mac=52:54:00:12:34:99 \
    -append "tests=pci_host_bridge,pci_e1000_found,pci_e1000_bars,pci_bindings,pci_unbind_rebind" \
    >"$TMP/bridge.log" 2>&1
bst=$?
expect_grep "behind a bridge: the bridge is listed" '^# pci 00:04\.0 1b36:0001 class 0604 PCI bridge' "$TMP/bridge.log"
expect_grep "behind a bridge: the NIC on bus 1 is found and bound" \
    '^# pci 01:02\.0 8086:100e class 0200 Ethernet controller, .*driver e1000$' "$TMP/bridge.log"
grep -A2 '^# pci 01:02\.0 ' "$TMP/bridge.log" >"$TMP/bridge.nic"
expect_grep "behind a bridge: its BAR0 sized to 128 KiB" '^#   BAR0 mem32 at 0x[0-9a-f]+, 131072 bytes' "$TMP/bridge.nic"
expect_grep "behind a bridge: its BAR1 sized to 64 bytes" '^#   BAR1 I/O at 0x[0-9a-f]+, 64 bytes' "$TMP/bridge.nic"
expect_grep "behind a bridge: probe read its MAC" '^# e1000 01:02\.0: MAC 52:54:00:12:34:99' "$TMP/bridge.log"
if sh "$tools/tap-check.sh" "$TMP/bridge.log" $bst >"$TMP/bridge.verdict"; then
    pass "behind a bridge: the PCI self-tests pass ($(cat "$TMP/bridge.verdict"))"
else
    fail "behind a bridge: the PCI self-tests" "$(cat "$TMP/bridge.verdict")" "$(tail -20 "$TMP/bridge.log")"
fi

finish cross
