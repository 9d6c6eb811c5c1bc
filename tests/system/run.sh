#!/bin/sh
# System tests: pcemu with the guest. Usage: run.sh BUILD
# Without usable /dev/kvm, pcemu can only be checked for what it does
# before running a guest; the guest's behaviour is then checked on QEMU.
b=$1
here=$(dirname "$0")
tools=$here/../../tools
rc=0
sh "$here/bad_input.sh" "$b/pcemu" "$b/guest.elf" || rc=1
if sh "$tools/kvm-usable.sh"; then
    sh "$here/guest.sh" "$b" || rc=1
    sh "$here/monitor.sh" "$b" || rc=1
    sh "$here/gdb.sh" "$b" || rc=1
    sh "$here/pcap.sh" "$b" || rc=1
    sh "$here/link.sh" "$b" || rc=1
else
    echo "################################################################"
    echo "# /dev/kvm is missing or unusable: pcemu cannot run guests here #"
    echo "# (no interpreter yet). The guest-behaviour tests run on QEMU   #"
    echo "# TCG alone; NO pcemu guest run was made.                       #"
    echo "################################################################"
    "$b/pcemu" "$b/guest.elf" >/dev/null 2>"$b/nokvm.err"
    st=$?
    if [ $st -eq 2 ] && grep -q "^pcemu: ${PCEMU_KVM_DEVICE:-/dev/kvm}: " "$b/nokvm.err"; then
        echo "ok - pcemu without /dev/kvm: $(cat "$b/nokvm.err")"
    else
        echo "not ok - pcemu without /dev/kvm exits 2 naming /dev/kvm (got $st: $(cat "$b/nokvm.err"))"
        rc=1
    fi
    RUNNER=qemu sh "$here/guest.sh" "$b" || rc=1
fi
exit $rc
