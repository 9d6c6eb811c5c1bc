#!/bin/sh
# The guest as a UEFI application (BOOTX64.EFI) on QEMU (TCG) with
# Debian's OVMF, next to the same kernel on pcemu: both must pass and
# report the same tests with the same results, and the guest, knowing it
# runs on QEMU from SMBIOS, names QEMU's known e1000 gaps as on the
# multiboot path. Nothing binary is kept: the application goes on a FAT
# directory drive (QEMU's vvfat) or is fetched over PXE from slirp's TFTP,
# the firmware's variables are a fresh copy of Debian's each boot.
# Usage: efi.sh BUILD
#
# (efi.sh --ovmf VARS QEMU-ARGS... is one boot of OVMF, its variables a
# fresh copy in VARS; efi.sh --boot ESP CMDLINE QEMU-ARGS... boots the
# FAT drive ESP with CMDLINE in CMDLINE.TXT next to the application, for
# netharness to run with its servers' ports in CMDLINE.)
tools=$(dirname "$0")/../../tools
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

# QEMU as tools/run-on-qemu.sh runs the multiboot guest (debug-exit at
# 0xf4, no reboot), with 256 MiB: OVMF wants more than the 64 given there
ovmf() {
    vars=$1; shift
    cp "$OVMF_VARS" "$vars" || exit 2
    exec ${QEMU:-qemu-system-x86_64} -accel "${QEMU_ACCEL:-tcg}" -m 256M \
        -drive if=pflash,format=raw,unit=0,readonly=on,file="$OVMF_CODE" \
        -drive if=pflash,format=raw,unit=1,file="$vars" \
        -device isa-debug-exit,iobase=0xf4,iosize=1 -display none -no-reboot "$@"
}

# the FAT drive booted first; snapshot: the directory is never written
fat() {
    echo "-drive if=none,id=esp,format=raw,file=fat:$1,snapshot=on -device ide-hd,drive=esp,bootindex=0"
}

case $1 in
--ovmf)
    shift
    ovmf "$@" ;;
--boot)
    esp=$2 cmdline=$3; shift 3
    printf '%s\n' "$cmdline" >"$esp/EFI/BOOT/CMDLINE.TXT" || exit 2
    ovmf "$esp.vars" $(fat "$esp") "$@" ;;
esac

. "$(dirname "$0")/../system/lib.sh"
b=$1

for f in "$OVMF_CODE" "$OVMF_VARS" "$b/BOOTX64.EFI"; do
    if [ ! -r "$f" ]; then
        fail "OVMF cross-check: $f is missing" "(make deps installs ovmf; make builds BOOTX64.EFI)"
        finish efi-cross
        exit 1
    fi
done
mkdir -p "$TMP/esp/EFI/BOOT" "$TMP/tftp"
cp "$b/BOOTX64.EFI" "$TMP/esp/EFI/BOOT/BOOTX64.EFI"
cp "$b/BOOTX64.EFI" "$TMP/tftp/BOOTX64.EFI"

results() {   # the ok/not ok lines, names only, in order
    grep -E '^(not )?ok [0-9]+ - ' "$1" | sed 's/ #.*//'
}

if sh "$tools/kvm-usable.sh"; then KVM=1; else
    KVM=0
    echo "################################################################"
    echo "# /dev/kvm is missing or unusable: the OVMF cross-check runs    #"
    echo "# QEMU alone; no pcemu run is compared.                         #"
    echo "################################################################"
fi

# judge NAME LOG STATUS: tap-check's verdict into $TMP/NAME.verdict; 0 on a pass
judge() {
    sh "$tools/tap-check.sh" "$2" "$3" >"$TMP/$1.verdict"
}

# compare NAME APPEND: pcemu with the same command line as the OVMF run
# in $TMP/NAME.log (its exit status in pst, tap-check's verdict in
# $TMP/NAME.pcemu.verdict), then the results side by side
compare() {
    timeout 600 "$b/tools/netharness" -- "$b/pcemu" -display none $net -append "$2" \
        "$b/guest.elf" >"$TMP/$1.pcemu.log" 2>&1
    pst=$?
    judge "$1.pcemu" "$TMP/$1.pcemu.log" $pst
    results "$TMP/$1.log" >"$TMP/$1.res"
    results "$TMP/$1.pcemu.log" >"$TMP/$1.pcemu.res"
    if cmp -s "$TMP/$1.res" "$TMP/$1.pcemu.res" && [ -s "$TMP/$1.res" ]; then
        pass "$1: OVMF and pcemu report the same results ($(wc -l <"$TMP/$1.res") tests)"
    else
        fail "$1: OVMF and pcemu differ" "$(diff "$TMP/$1.res" "$TMP/$1.pcemu.res")"
    fi
}

net="-netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0"

# ---- every self-test, from the FAT drive, the harness's servers named in
# CMDLINE.TXT ----
timeout 900 "$b/tools/netharness" -- sh "$0" --boot "$TMP/esp" "@NET@" -serial stdio \
    -monitor none $net >"$TMP/all.log" 2>&1
ost=$?
if judge all "$TMP/all.log" $ost; then pass "OVMF TCG: $(cat "$TMP/all.verdict")"
else fail "OVMF TCG run" "$(cat "$TMP/all.verdict")" "$(tail -20 "$TMP/all.log")"; fi
expect_grep "the application read CMDLINE.TXT" \
    '^# pcemu-efi: command line from .*\\EFI\\BOOT\\CMDLINE\.TXT' "$TMP/all.log"
expect_grep "the kernel got it, booted via UEFI on QEMU" \
    "^# pcemu guest: booted via UEFI \\(UEFI [0-9.]+, .*; machine QEMU .*\\) from qemu, .*cmdline 'net\\.echo=" \
    "$TMP/all.log"
for t in udp_echo dns_lookup tcp_echo_1mib tcp_bulk_to_host tcp_bulk_from_host tcp_inbound \
         tcp_refused tcp_timeout tcp_checksum_paths tcp_loss_recovery; do
    expect_grep "OVMF ran the network test $t" "^ok [0-9]+ - $t\$" "$TMP/all.log"
done
# the known gaps (test_e1000.c) are named only where the guest knows QEMU
gaps=$(grep -E "^# [a-z0-9_]+: QEMU's .*\(a known QEMU gap" "$TMP/all.log" | cut -d: -f1 | tr -d '#')
if [ -n "$gaps" ]; then pass "QEMU's known e1000 gaps named under OVMF: $(echo $gaps)"
else fail "QEMU's known e1000 gaps named under OVMF" "no '(a known QEMU gap' line"; fi
found=$(grep -m1 -E '^# e1000 00:03\.0: MAC .*; as found: ' "$TMP/all.log" | sed 's/.*as found: //')
if [ -n "$found" ]; then pass "the driver took the NIC as OVMF left it ($found)"
else fail "the driver says how OVMF left the NIC" "no '; as found:' in the e1000 line"; fi
if [ "$KVM" = 1 ]; then
    compare all "@NET@"
    if [ $pst = 1 ]; then pass "pcemu KVM: $(cat "$TMP/all.pcemu.verdict")"
    else fail "pcemu KVM run" "$(cat "$TMP/all.pcemu.verdict")" "$(tail -20 "$TMP/all.pcemu.log")"; fi
fi

# ---- BARs where OVMF put them: a virtio device whose 64-bit BAR OVMF
# places above 4 GiB next to the e1000, the guest halted after its PCI
# table (selftest.inject=halt) so QEMU can be asked what it decodes ----
printf '%s\n' "tests=pci_e1000_found,pci_e1000_bars selftest.inject=halt" \
    >"$TMP/esp/EFI/BOOT/CMDLINE.TXT"
{
    for _ in $(seq 1 600); do
        grep -q '^TAP version' "$TMP/bars.log" 2>/dev/null && break
        sleep 0.5
    done
    sleep 1
    echo "info pci"
    echo quit
} | timeout 600 sh "$0" --ovmf "$TMP/bars.vars" $(fat "$TMP/esp") \
    -serial file:"$TMP/bars.log" -monitor stdio \
    -netdev user,id=n0 -device e1000,netdev=n0,addr=3 -device virtio-rng-pci,addr=5 \
    2>&1 | tr -d '\r' >"$TMP/bars.monitor"
# guest BAR lines of DEV as "BARi addr", and QEMU's for the same
guest_bars() {
    sed -n "/^# pci 00:0$1\\.0 /,/^# pci /p" "$TMP/bars.log" |
        sed -n 's/^#   BAR\([0-9]\) .* at \(0x[0-9a-f]*\), .*/BAR\1 \2/p'
}
qemu_bars() {
    sed -n "/device *$1, function 0:/,/id \"/p" "$TMP/bars.monitor" |
        sed -n 's/^ *BAR\([0-5]\): .* at \(0x[0-9a-f]*\) .*/BAR\1 \2/p'
}
for d in 3 5; do
    guest_bars $d >"$TMP/bars.guest$d"
    qemu_bars $d >"$TMP/bars.qemu$d"
    if [ -s "$TMP/bars.guest$d" ] && cmp -s "$TMP/bars.guest$d" "$TMP/bars.qemu$d"; then
        pass "00:0$d.0: the guest's BARs are where OVMF put them ($(echo $(cat "$TMP/bars.guest$d")))"
    else
        fail "00:0$d.0: the guest's BARs are where OVMF put them" \
            "guest: $(tr '\n' ' ' <"$TMP/bars.guest$d")" "QEMU: $(tr '\n' ' ' <"$TMP/bars.qemu$d")"
    fi
done
expect_grep "OVMF put the 64-bit BAR above 4 GiB and the guest kept it there" \
    '^#   BAR4 mem64 at 0x[0-9a-f]{9,}, ' "$TMP/bars.log"

# ---- over PXE: iPXE (QEMU's e1000 option ROM) drives the NIC, fetches
# the application from slirp's TFTP and passes the command line as load
# options; the kernel then takes over the NIC iPXE used. A deliberate
# failure must be reported through this path too ----
subset="tests=boot_info,pci_e1000_found,pci_bindings,e1000_eeprom,e1000_link_up,e1000_reset,dhcp_lease,arp_gateway,ping_gateway"
printf '#!ipxe\nchain BOOTX64.EFI %s selftest.inject=fail\n' "$subset" >"$TMP/tftp/boot.ipxe"
timeout 600 sh "$0" --ovmf "$TMP/pxe.vars" \
    -serial stdio -monitor none -netdev user,id=n0,tftp="$TMP/tftp",bootfile=boot.ipxe \
    -device e1000,netdev=n0,bootindex=0 >"$TMP/pxe.log" 2>&1
xst=$?
expect_grep "PXE: iPXE had the NIC up before the application" 'net0: .* using 82540em on 0000:00:03\.0' "$TMP/pxe.log"
expect_grep "PXE: the command line came as load options" \
    '^# pcemu-efi: command line from the load options' "$TMP/pxe.log"
expect_grep "PXE: the kernel got them" "cmdline 'BOOTX64\\.EFI $subset selftest\\.inject=fail'" \
    "$TMP/pxe.log"
judge pxe "$TMP/pxe.log" $xst
if [ $xst = 3 ] && [ "$(grep -c '^not ok' "$TMP/pxe.log")" = 1 ] &&
   grep -q '^not ok [0-9]* - injected_failure$' "$TMP/pxe.log" &&
   [ "$(grep -c '^ok' "$TMP/pxe.log")" = 9 ]; then
    pass "PXE: the NIC's tests pass after iPXE, the injected failure is reported (exit status 3)"
else
    fail "PXE: the NIC's tests pass after iPXE, the injected failure is reported" \
        "exit status $xst, $(cat "$TMP/pxe.verdict")" "$(tail -20 "$TMP/pxe.log")"
fi
if [ "$KVM" = 1 ]; then
    net="-netdev user,id=n0 -device e1000,netdev=n0"
    compare pxe "$subset selftest.inject=fail"
    if [ $pst = 3 ] && [ "$(grep -c '^not ok' "$TMP/pxe.pcemu.log")" = 1 ]; then
        pass "pcemu reports the injected failure"
    else fail "pcemu reports the injected failure" "$(cat "$TMP/pxe.pcemu.verdict")"; fi
fi

finish efi-cross
