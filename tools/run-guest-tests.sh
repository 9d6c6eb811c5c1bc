#!/bin/sh
# run-guest-tests.sh PCEMU GUEST.elf [-append CMDLINE] [pcemu options...]
# Runs the guest's self-tests on pcemu (KVM or its interpreter), with the host harness's
# servers for the network tests (netharness, next to PCEMU's build),
# showing the TAP as it comes, and exits 0 only when every test passed.
pcemu=$1 guest=$2; shift 2
dir=$(dirname "$0")
harness=${NETHARNESS:-$(dirname "$pcemu")/tools/netharness}
log=$(mktemp) status_file=$(mktemp)
trap 'rm -f "$log" "$status_file"' EXIT

# the guest command line: the caller's, then the harness's ports
# (each option goes round to the end of "$@" once; -append and its
# value are taken out on the way)
append="" n=$#
while [ "$n" -gt 0 ]; do
    a=$1; shift; n=$((n - 1))
    if [ "$a" = -append ] && [ "$n" -gt 0 ]; then
        append=$1; shift; n=$((n - 1))
        continue
    fi
    set -- "$@" "$a"
done
# the e1000's traffic of the last run stays in a pcap beside pcemu
net="-netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0"
net="$net -object filter-dump,id=f0,netdev=n0,file=$(dirname "$pcemu")/e1000.pcap"
# a guest that never reaches its verdict must not hold the job forever
limit=${GUEST_TIMEOUT:-600}

# pcemu runs the guest under KVM, or on its own interpreter where KVM is
# missing (it says so in one line); -accel picks either. Its messages
# share the console's pipe, so that they land between the guest's lines
# in the order pcemu wrote them, never inside one.
{ timeout "$limit" "$harness" -- "$pcemu" -display none -serial stdio -no-reboot $net \
    -append "$append @NET@" "$@" "$guest" 2>&1; echo $? > "$status_file"; } | tee "$log"
runner=pcemu
st=$(cat "$status_file")
[ "$st" = 124 ] && echo "run-guest-tests: no verdict after $limit s (GUEST_TIMEOUT): the guest hangs"
printf '%s: ' "$runner"
sh "$dir/tap-check.sh" "$log" "$st"
