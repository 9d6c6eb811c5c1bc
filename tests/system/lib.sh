# Helpers for the shell-driven system tests: each case prints one TAP-ish
# line, and finish() prints the totals and fails when any case failed.
passed=0 failed=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() {
    failed=$((failed + 1)); echo "not ok - $1"
    shift
    [ $# -gt 0 ] && printf '  # %s\n' "$@"
    return 0
}

# expect_status NAME WANT GOT
expect_status() {
    if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected exit status $2, got $3"; fi
}

# expect_grep NAME PATTERN FILE: FILE has a line matching PATTERN (ERE)
expect_grep() {
    if grep -Eq -- "$2" "$3"; then pass "$1"
    else fail "$1" "no line matching /$2/ in:" "$(head -c 2000 "$3")"; fi
}

# expect_no_grep NAME PATTERN FILE: no line of FILE matches PATTERN
expect_no_grep() {
    if ! grep -Eq -- "$2" "$3"; then pass "$1"
    else fail "$1" "a line matches /$2/:" "$(grep -E -- "$2" "$3" | head -3)"; fi
}

# wait_for_line FILE SECONDS PATTERN: until FILE has a line matching
# PATTERN (ERE), polled every 0.1 s (FILE may not exist yet); fails
# after SECONDS
wait_for_line() {
    for i in $(seq $(($2 * 10))); do
        grep -Eqs -- "$3" "$1" && return 0
        sleep 0.1
    done
    return 1
}

finish() {
    echo "$1: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
