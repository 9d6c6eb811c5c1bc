#!/bin/sh
# Exit 0 when the KVM device (PCEMU_KVM_DEVICE, default /dev/kvm) exists
# and this user can open it read-write.
dev=${PCEMU_KVM_DEVICE:-/dev/kvm}
[ -c "$dev" ] && [ -r "$dev" ] && [ -w "$dev" ] || exit 1
# opening it for real: permissions alone can lie in containers
( exec 3<>"$dev" ) 2>/dev/null
