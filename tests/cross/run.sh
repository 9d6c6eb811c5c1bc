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
# with the host harness's servers for the network tests
net="-netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0"
run_both() {
    name=$1 append=$2
    timeout 600 "$b/tools/netharness" -- sh "$tools/run-on-qemu.sh" "$b/guest32.elf" $net \
        -append "$append @NET@" >"$TMP/qemu.log" 2>&1
    qst=$?
    if sh "$tools/tap-check.sh" "$TMP/qemu.log" $qst >"$TMP/qemu.verdict"; then qok=1; else qok=0; fi
    if [ "$KVM" = 1 ]; then
        timeout 600 "$b/tools/netharness" -- "$b/pcemu" -display none $net -append "$append @NET@" \
            "$b/guest.elf" >"$TMP/pcemu.log" 2>&1
        pst=$?
        if sh "$tools/tap-check.sh" "$TMP/pcemu.log" $pst >"$TMP/pcemu.verdict"; then pok=1; else pok=0; fi
        results "$TMP/qemu.log" > "$TMP/qemu.res"
        results "$TMP/pcemu.log" > "$TMP/pcemu.res"
        if cmp -s "$TMP/qemu.res" "$TMP/pcemu.res" && [ -s "$TMP/qemu.res" ]; then
            pass "$name: QEMU and pcemu report the same results ($(wc -l < "$TMP/qemu.res") tests)"
        else
            fail "$name: QEMU and pcemu differ" "$(diff "$TMP/qemu.res" "$TMP/pcemu.res")"
        fi
    fi
}

if sh "$tools/kvm-usable.sh"; then KVM=1; else
    KVM=0
    echo "################################################################"
    echo "# /dev/kvm is missing or unusable: the cross-check runs QEMU    #"
    echo "# alone; no pcemu run is compared.                              #"
    echo "################################################################"
fi

run_both "all self-tests" ""
for t in udp_echo dns_lookup tcp_echo_1mib tcp_bulk_to_host tcp_bulk_from_host tcp_inbound \
         tcp_refused tcp_timeout tcp_checksum_paths tcp_loss_recovery; do
    expect_grep "QEMU ran the network test $t" "^ok [0-9]+ - $t\$" "$TMP/qemu.log"
done
if [ $qok = 1 ]; then pass "QEMU TCG: $(cat "$TMP/qemu.verdict")"
else fail "QEMU TCG run" "$(cat "$TMP/qemu.verdict")" "$(tail -20 "$TMP/qemu.log")"; fi
if [ "$KVM" = 1 ]; then
    if [ $pok = 1 ]; then pass "pcemu KVM: $(cat "$TMP/pcemu.verdict")"
    else fail "pcemu KVM run" "$(cat "$TMP/pcemu.verdict")" "$(tail -20 "$TMP/pcemu.log")"; fi
fi

# A deliberate failure must read the same on both, and fail on both.
run_both "injected failure" "selftest.inject=fail"
if [ $qok = 0 ] && grep -q '^not ok' "$TMP/qemu.log"; then pass "QEMU reports the injected failure"
else fail "QEMU reports the injected failure" "$(cat "$TMP/qemu.verdict")"; fi
if [ "$KVM" = 1 ]; then
    if [ $pok = 0 ] && grep -q '^not ok' "$TMP/pcemu.log"; then pass "pcemu reports the injected failure"
    else fail "pcemu reports the injected failure" "$(cat "$TMP/pcemu.verdict")"; fi
fi

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
