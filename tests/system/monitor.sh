#!/bin/sh
# The monitor on the default machine: info pci, info mtree (-f), info
# qtree match the expected text; help, errors, cont and quit behave; the
# unix socket backend works. Usage: monitor.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
exp=$(dirname "$0")/expected

# monitor_cmd CMD: output of one command on a paused machine
monitor_cmd() {
    printf '%s\nquit\n' "$1" |
        "$b/pcemu" -S -monitor stdio -serial none "$b/guest.elf" 2>"$TMP/err" |
        sed '1d;$d' | sed 's/^(pcemu) //'
}

for c in "info pci" "info mtree" "info mtree -f" "info qtree"; do
    f=$exp/$(echo "$c" | tr ' ' '-' | sed 's/--/-/').txt
    monitor_cmd "$c" > "$TMP/got"
    if cmp -s "$f" "$TMP/got"; then pass "monitor: $c matches $(basename "$f")"
    else fail "monitor: $c differs from $(basename "$f")" "$(diff "$f" "$TMP/got" | head -30)"; fi
done

monitor_cmd "frobnicate" > "$TMP/got"
expect_grep "monitor: unknown command is an error" "^unknown command: 'frobnicate'" "$TMP/got"
monitor_cmd "info frob" > "$TMP/got"
expect_grep "monitor: unknown info subcommand is an error" "^info: unknown subcommand 'frob'" "$TMP/got"
monitor_cmd "help" > "$TMP/got"
expect_grep "monitor: help lists info mtree" "^info mtree \[-f\] +-- " "$TMP/got"
monitor_cmd "$(head -c 3000 /dev/zero | tr '\0' a)" > "$TMP/got"
expect_grep "monitor: an overlong line is refused" "^line too long, ignored" "$TMP/got"

monitor_cmd "quit now" > "$TMP/got"
expect_grep "monitor: an argument to a command that takes none is refused" \
    "^quit: takes no argument \(got 'now'\)" "$TMP/got"
monitor_cmd "info pci extra" > "$TMP/got"
expect_grep "monitor: an argument to info pci is refused" \
    "^info pci: takes no argument \(got 'extra'\)" "$TMP/got"
monitor_cmd "help set_link" > "$TMP/got"
expect_grep "monitor: help CMD shows that command" "^set_link e1000 on\|off +-- " "$TMP/got"
monitor_cmd "help me" > "$TMP/got"
expect_grep "monitor: help for an unknown command is an error" "^help: unknown command 'me'" "$TMP/got"

printf 'quit\n' | "$b/pcemu" -S -monitor stdio -serial none "$b/guest.elf" >/dev/null 2>&1
expect_status "monitor: quit ends pcemu with status 0" 0 $?

# -S, and the monitor's input ends: nothing could resume the guest, so
# pcemu says so and quits instead of waiting for ever.
printf 'info status\n' | timeout 20 "$b/pcemu" -S -monitor stdio -serial none "$b/guest.elf" \
    >/dev/null 2>"$TMP/err"
expect_status "monitor: input ending on a paused guest quits" 0 $?
expect_grep "monitor: ... and says why" "input ended with the guest paused" "$TMP/err"

# A function that may not master the bus (the firmware left the e1000
# alone) has an empty bus-master space, shown as QEMU shows one.
printf 'info mtree\ninfo mtree -f\nquit\n' | "$b/pcemu" -S -machine pc,unassigned-bars=on \
    -monitor stdio -serial none "$b/guest.elf" > "$TMP/got" 2>&1
sed -n '/^address-space: e1000/,/^$/p' "$TMP/got" > "$TMP/e1000-as"
if [ "$(wc -l < "$TMP/e1000-as")" -eq 3 ] && ! grep -q 'alias bus master' "$TMP/e1000-as"; then
    pass "monitor: the e1000's bus-master space is empty while it may not master the bus"
else
    fail "monitor: the e1000's bus-master space is empty while it may not master the bus" \
        "$(cat "$TMP/e1000-as")"
fi
expect_grep "monitor: ... and its flat view is none" "^  No rendered FlatView" "$TMP/got"

# -nic none: the e1000 is there, its cable is not
printf 'info network\nquit\n' | "$b/pcemu" -S -nic none -monitor stdio -serial none \
    "$b/guest.elf" > "$TMP/got" 2>&1
expect_grep "monitor: -nic none shows the link down" "link=down" "$TMP/got"

# -S holds the guest until cont; then it runs to its verdict.
printf 'info status\ncont\n' | "$b/pcemu" -S -monitor stdio "$b/guest.elf" > "$TMP/out" 2>&1
st=$?
expect_grep "monitor: -S holds the guest" "VM status: paused" "$TMP/out"
expect_status "monitor: cont runs the guest to a passing verdict" 1 $st

# unix socket backend
sock=$TMP/mon.sock
"$b/pcemu" -S -monitor "unix:$sock,server,nowait" -serial none "$b/guest.elf" >/dev/null 2>&1 &
pid=$!
printf 'info pci\nquit\n' | "$b/tools/unixcat" "$sock" | sed '1d;$d' | sed 's/^(pcemu) //' > "$TMP/got"
wait $pid; st=$?
if cmp -s "$exp/info-pci.txt" "$TMP/got"; then pass "monitor: unix socket serves info pci"
else fail "monitor: unix socket serves info pci" "$(diff "$exp/info-pci.txt" "$TMP/got" | head)"; fi
expect_status "monitor: quit over the socket ends pcemu" 0 $st
[ -e "$sock" ] && fail "monitor: socket file removed at exit" || pass "monitor: socket file removed at exit"

finish monitor
