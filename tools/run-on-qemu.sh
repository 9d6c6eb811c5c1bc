#!/bin/sh
# run-on-qemu.sh GUEST32.elf [qemu options...]: the guest on QEMU the way
# pcemu runs it: multiboot, COM1 on stdout, the debug-exit port at 0xf4.
# TCG unless QEMU_ACCEL says otherwise. Exits with QEMU's status.
guest=$1; shift
exec ${QEMU:-qemu-system-x86_64} -accel "${QEMU_ACCEL:-tcg}" -m 64M \
    -kernel "$guest" -device isa-debug-exit,iobase=0xf4,iosize=1 \
    -serial stdio -display none -monitor none -no-reboot "$@"
