#!/bin/sh
# Bad command lines and bad guest files: one line `pcemu: <what>: <why>`
# on stderr, exit status 2, never a signal. Usage: bad_input.sh PCEMU GUEST
. "$(dirname "$0")/lib.sh"
pcemu=$1 guest=$2

# case NAME PATTERN ARGS...: pcemu ARGS must exit 2 with one stderr line
# that starts with "pcemu: " and matches PATTERN.
case_bad() {
    name=$1 pattern=$2; shift 2
    "$pcemu" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
    st=$?
    lines=$(wc -l < "$TMP/err")
    if [ $st -ne 2 ]; then
        fail "$name" "expected exit status 2, got $st" "$(cat "$TMP/err")"
    elif [ "$lines" -ne 1 ]; then
        fail "$name" "expected one line on stderr, got $lines:" "$(cat "$TMP/err")"
    elif ! grep -Eq "^pcemu: $pattern" "$TMP/err"; then
        fail "$name" "stderr does not match /^pcemu: $pattern/:" "$(cat "$TMP/err")"
    else
        pass "$name"
    fi
}

printf 'this is not an ELF file\n' > "$TMP/text.elf"
head -c 100 "$guest" > "$TMP/trunc-header.elf"
head -c 3000 "$guest" > "$TMP/trunc-body.elf"
: > "$TMP/empty.elf"
mkdir "$TMP/dir.elf"
# an ELF64 with neither the pcemu note nor a multiboot header
printf 'int main(void){return 0;}' > "$TMP/plain.c"
cc -static -o "$TMP/plain.elf" "$TMP/plain.c" 2>/dev/null

case_bad "missing guest file" "$TMP/nonexistent.elf: No such file or directory" "$TMP/nonexistent.elf"
case_bad "directory as guest" "$TMP/dir.elf: not a regular file" "$TMP/dir.elf"
case_bad "empty guest file" "$TMP/empty.elf: not an ELF file" "$TMP/empty.elf"
case_bad "non-ELF guest file" "$TMP/text.elf: not an ELF file" "$TMP/text.elf"
case_bad "truncated ELF header" "$TMP/trunc-header.elf: truncated" "$TMP/trunc-header.elf"
case_bad "truncated ELF body" "$TMP/trunc-body.elf: truncated" "$TMP/trunc-body.elf"
[ -f "$TMP/plain.elf" ] &&
case_bad "ELF without multiboot or note" "$TMP/plain.elf: no multiboot header" "$TMP/plain.elf"
case_bad "unknown option" "-frobnicate: unknown option" -frobnicate "$guest"
case_bad "option without its argument" "-m: needs an argument" "$guest" -m
case_bad "bad memory size" "-m 12Q: not a size" -m 12Q "$guest"
case_bad "memory size too small" "-m 1M: too small" -m 1M "$guest"
case_bad "memory size beyond the host" "-m 64T: more than this host" -m 64T "$guest"
case_bad "no guest given" "no guest kernel given" -m 64M
case_bad "two guests given" ".*: only one guest kernel" "$guest" "$guest"
case_bad "filter-impair with a loss over 100%" \
    "-object filter-impair,id=f,netdev=user.0,loss=150: unknown or bad property loss=150" \
    -object filter-impair,id=f,netdev=user.0,loss=150 "$guest"
case_bad "filter-impair without a netdev" "-object filter-impair,id=f,loss=1: needs netdev=ID" \
    -object filter-impair,id=f,loss=1 "$guest"
case_bad "filter-impair on a netdev that is not there" \
    "-object filter-impair,netdev=nope: no such netdev \\(the e1000's is user.0\\)" \
    -object filter-impair,id=f,netdev=nope,loss=1 "$guest"
case_bad "unknown accelerator" "-accel hvf: no such accelerator \\(pcemu has: kvm, interp" -accel hvf "$guest"
case_bad "unknown serial backend" "-serial tty: unknown backend" -serial tty "$guest"
case_bad "serial file in a missing directory" "-serial file:/nonexistent/x: /nonexistent/x: No such file" -serial file:/nonexistent/x "$guest"
case_bad "display other than none" "-display gtk: pcemu has no display" -display gtk "$guest"
case_bad "unknown device" "-device rtl8139: pcemu has one device to add, e1000" -device rtl8139 "$guest"
case_bad "unknown netdev backend" "-netdev tap,id=t: only the user backend exists" -netdev tap,id=t "$guest"
case_bad "netdev without id" "-netdev user,net=10.0.3.0/24: needs id=NAME" -netdev user,net=10.0.3.0/24 "$guest"
case_bad "device naming a missing netdev" "-device e1000,netdev=nope: no -netdev with id=nope" -device e1000,netdev=nope "$guest"
case_bad "multicast MAC" "-device e1000,mac=01:00:5e:00:00:01: unknown or bad property mac" -device e1000,mac=01:00:5e:00:00:01 "$guest"
case_bad "malformed hostfwd" ".*hostfwd=tcp:80: expected tcp\|udp" -nic user,hostfwd=tcp:80 "$guest"
case_bad "gateway outside the network" ".*host=10.0.9.2 is outside net=10.0.2.0/24" -netdev user,id=u,host=10.0.9.2 "$guest"
case_bad "command line too long" "-append: the command line is 5000 bytes, at most 4095 fit" -append "$(head -c 5000 /dev/zero | tr '\0' x)" "$guest"
case_bad "empty guest path" "guest kernel path is empty" ""
case_bad "empty -kernel path" "guest kernel path is empty" -kernel ""
case_bad "serial file with no path" "-serial file:: the file path is empty" -serial file: "$guest"
PCEMU_KVM_DEVICE=/dev/null case_bad "-accel kvm with a KVM device that is not one" \
    "/dev/null: not a KVM device" -accel kvm "$guest"
PCEMU_KVM_DEVICE=$TMP/nonexistent case_bad "-accel kvm without a KVM device" \
    "$TMP/nonexistent: No such file or directory" -accel kvm "$guest"

# Multiboot kernels whose header asks for what pcemu cannot do: an a.out
# kludge load address past the end of RAM (once a crash: the range check
# wrapped), and a video mode.
mb_kernel() {   # NAME FLAGS LOAD_ADDR
    cat > "$TMP/$1.asm" <<ASM
bits 32
section .text
mb:     dd 0x1BADB002, $2, -(0x1BADB002 + $2)
        dd $3, $3, 0, 0, $3 + 0x20      ; header, load, load end, bss end, entry
        hlt
ASM
    nasm -f elf32 -o "$TMP/$1.o" "$TMP/$1.asm" &&
    ld -m elf_i386 -Ttext-segment=0x100000 -z max-page-size=0x1000 -o "$TMP/$1.elf" "$TMP/$1.o" \
        2>/dev/null
}
if mb_kernel kludge-high 0x10000 0x80000000 && mb_kernel video 0x4 0x100000; then
    case_bad "multiboot load address past RAM" \
        "$TMP/kludge-high.elf: multiboot load range 0x80000000-.* is outside RAM" "$TMP/kludge-high.elf"
    case_bad "multiboot kernel requiring a video mode" \
        "$TMP/video.elf: multiboot header requires features 0x4 pcemu lacks \(a video mode" "$TMP/video.elf"
else
    fail "multiboot test kernels built with nasm and ld"
fi

# Linux bzImages pcemu cannot boot (boot/linux.c), and -initrd and -rtc
# misused. bz FILE VERSION SIZE: a bzImage header (setup_sects 4, boot
# flag, "HdrS", the version, LOADED_HIGH, syssize 4096 bytes) in SIZE bytes.
bz() {
    head -c "$3" /dev/zero > "$1"
    at() { printf "$2" | dd of="$1" bs=1 seek=$(($3)) conv=notrunc 2>/dev/null; }
    at "$1" '\004' 0x1f1
    at "$1" '\000\001' 0x1f4                 # syssize 256 paragraphs
    at "$1" '\125\252' 0x1fe                 # 0xaa55
    at "$1" '\353\152HdrS' 0x200              # jmp, header to 0x26c
    at "$1" "$2" 0x206
    at "$1" '\001' 0x211                      # LOADED_HIGH
}
bz "$TMP/old.bz" '\001\002' 8192
bz "$TMP/short.bz" '\017\002' 4000
case_bad "bzImage of an old boot protocol" "$TMP/old.bz: Linux boot protocol 2.01 is too old" \
    "$TMP/old.bz"
case_bad "truncated bzImage" "$TMP/short.bz: truncated: the header says 4096 bytes" "$TMP/short.bz"
case_bad "-initrd that is not there" "-initrd $TMP/nonexistent: No such file or directory" \
    -initrd "$TMP/nonexistent" "$TMP/old.bz"
case_bad "-initrd with a guest that is not Linux" "$guest: -initrd is for a Linux bzImage" \
    -initrd "$guest" "$guest"
case_bad "-rtc with a bad date" "-rtc base=2025-02-30: expected base=utc or base=YYYY-MM-DD" \
    -rtc base=2025-02-30 "$guest"
# a value too long for its buffer is refused, not cut short (cut, the
# bad item at its end would go unsaid)
long=$(printf 'base=utc,%.0s' $(seq 8))
case_bad "-rtc too long" "-rtc: the value is 80 characters long; at most 63 are taken" \
    -rtc "${long}base=bad" "$guest"
long=$(printf 'pc,%.0s' $(seq 90))
case_bad "-machine too long" "-machine: the value is 280 characters long; at most 255 are taken" \
    -machine "${long}nonsense=1" "$guest"
long=$(printf 'mac=52:54:00:12:34:56,%.0s' $(seq 50))
case_bad "-device property list too long" \
    "-device: the value is [0-9]+ characters long; at most 1023 are taken" \
    -device "e1000,${long}nonsense=1" "$guest"

"$pcemu" --help >"$TMP/out" 2>&1; st=$?
expect_status "--help exits 0" 0 $st
expect_grep "--help shows usage" "^usage: pcemu" "$TMP/out"
"$pcemu" --version >"$TMP/out" 2>&1; st=$?
expect_status "--version exits 0" 0 $st
expect_grep "--version names pcemu" "^pcemu [0-9]" "$TMP/out"

finish "bad-input"
