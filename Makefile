# pcemu and its guest. `make help` lists the targets.

LAB        ?=
GUEST_OPT  ?= -O2
# make LAB=1 builds the lab's skeleton driver instead of the reference
# one (docs/lab/), into a tree of its own
BUILD      ?= $(if $(filter 1,$(LAB)),build-lab,build)
CC         ?= gcc
NASM       ?= nasm
LD         ?= ld
OBJCOPY    ?= objcopy
QEMU       ?= qemu-system-x86_64

# Packages are installed only by the targets that promise to do
# everything (make deps, run-guest-tests, check and its parts, bench);
# a plain `make` builds and nothing else.
DEPS := $(if $(filter deps run-guest-tests check unit system cross efi-cross bench cpu-test grade grade-check linux-test linux-test-qemu fuzz fuzz-build fuzz-replay flood-test lossy soak soak-check,$(MAKECMDGOALS)),deps)

WARN       := -Wall -Wextra -Werror -Wno-unused-parameter
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -Ihost -MMD -MP -D_GNU_SOURCE
SAN         := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS  := -std=gnu11 -O1 -g $(WARN) -Iinclude -Ihost -MMD -MP -D_GNU_SOURCE $(SAN)
HOST_LDLIBS := -lslirp -lrt -ldw

GUEST_CFLAGS := -std=gnu11 $(GUEST_OPT) -g $(WARN) -Iinclude -Iguest/include -MMD -MP \
                -ffreestanding -fno-stack-protector -fno-pic -fno-pie \
                -mno-red-zone -mgeneral-regs-only -fno-omit-frame-pointer \
                -fno-asynchronous-unwind-tables -fcf-protection=none
GUEST_LDFLAGS := -nostdlib -z max-page-size=0x1000 -T linker/guest.ld

HOST_SRCS   := $(shell find host -name '*.c' | sort)
HOST_LIB_SRCS := $(filter-out host/main.c,$(HOST_SRCS))
HOST_OBJS   := $(HOST_LIB_SRCS:%.c=$(BUILD)/%.o)
SAN_OBJS    := $(HOST_LIB_SRCS:%.c=$(BUILD)/san/%.o)

GUEST_CSRCS := $(shell find guest -name '*.c' -not -path 'guest/efi/*' -not -path 'guest/lab/*' | sort)
ifeq ($(LAB),1)
GUEST_CSRCS := $(filter-out guest/drivers/e1000.c,$(GUEST_CSRCS)) guest/lab/e1000.c
endif
GUEST_ASRCS := $(shell find guest -name '*.asm' | sort)
GUEST_SSRCS := $(shell find guest -name '*.S' | sort)
GUEST_OBJS  := $(GUEST_ASRCS:%.asm=$(BUILD)/%.o) $(GUEST_SSRCS:%.S=$(BUILD)/%.o) \
               $(GUEST_CSRCS:%.c=$(BUILD)/%.o)

UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

# Guest code in host tests, one way: the guest modules below are built
# once, with these flags, into $(HOSTGUEST_LIB), which every host test
# that runs guest code links (the unit tests of guest modules, the
# contract tests, the stack fuzzer's replay; the fuzzers' clang build
# makes its own from the same list). x86.h and mmio.h are tests/shim's.
# What a module calls in the rest of the kernel (printf, time_ns,
# kmalloc, ...) or in the layer below it, a test may define itself: the
# library's member defining it then stays out of the link (the seam).
# What a test looks at inside a module is in the module's *_internal.h.
HOSTGUEST_SRCS := guest/drivers/e1000.c guest/drivers/e1000_pci.c guest/drivers/e1000_regs.c \
                  guest/drivers/e1000_netdev.c guest/drivers/pci.c guest/drivers/driver_core.c \
                  guest/kernel/heap.c guest/kernel/tsc_calib.c guest/lib/sha256.c \
                  $(sort $(wildcard guest/net/*.c))
HOSTGUEST_INC  := -Itests/shim -Iinclude -Iguest/include
HOSTGUEST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -MMD -MP -D_GNU_SOURCE $(SAN) $(HOSTGUEST_INC)
HOSTGUEST_OBJS := $(HOSTGUEST_SRCS:%.c=$(BUILD)/hostguest/%.o)
HOSTGUEST_LIB  := $(BUILD)/hostguest/libguest.a

# Contract tests: the guest's driver code against the model.
CONTRACT_RIG   := $(BUILD)/contract/tests/contract/contract_rig.o
CONTRACT_CFLAGS := $(SAN_CFLAGS) -Itests/shim -Itests/contract -Iguest/include
CONTRACT_BINS  := $(BUILD)/tests/contract/test_e1000_contract $(BUILD)/tests/contract/test_e1000_mistakes

.PHONY: all deps pcemu guest run-guest-tests check unit system cross bench clean help

all: pcemu guest $(BUILD)/BOOTX64.EFI

help:
	@echo "make                  build pcemu and the guest"
	@echo "make run-guest-tests  run the guest's self-tests on pcemu (KVM, else its interpreter)"
	@echo "make check            every test: unit (ASan+UBSan), CPU, system, QEMU cross-checks"
	@echo "make cpu-test         the interpreter against the host CPU and the SDM"
	@echo "make efi-cross        BOOTX64.EFI on QEMU with OVMF, compared with pcemu"
	@echo "make grade            the NIC-driver lab's graded tests (LAB=1: the lab's driver;"
	@echo "                      QEMU=1: on QEMU's e1000); docs/lab/README.md"
	@echo "make linux-test       Debian's Linux and its e1000 driver on QEMU TCG and pcemu (slow)"
	@echo "make fuzz             the libFuzzer targets (clang; FUZZ_SECONDS=N each, default 60)"
	@echo "make lossy            the guest's TCP through 10% loss and reordering, and a link flap"
	@echo "make flood-test       100 000 UDP datagrams through hostfwd, every one accounted for"
	@echo "make soak             10 minutes of network tests under ASan, memory sampled"
	@echo "make bench            boot-time benchmark against QEMU"
	@echo "make deps             install the Debian packages needed (root)"

# make fuzz also needs clang with libFuzzer and the sanitizers' runtime
DEPS_EXTRA := $(if $(filter fuzz fuzz-build,$(MAKECMDGOALS)),clang libclang-rt-14-dev)
deps:
	@sh tools/deps.sh $(DEPS_EXTRA)

pcemu: $(BUILD)/pcemu
guest: $(BUILD)/guest.elf $(BUILD)/guest32.elf

# ---- host ----
$(BUILD)/host/%.o: host/%.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/san/host/%.o: host/%.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c $< -o $@

# A file removed from the tree must leave the link too: these lists change
# when the set of sources does, and the links depend on them.
$(BUILD)/%.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(LIST_$*)' | cmp -s - $@ || echo '$(LIST_$*)' > $@
LIST_host := $(HOST_OBJS)
LIST_san := $(SAN_OBJS)
LIST_guest := $(GUEST_OBJS)
LIST_guestflags := $(GUEST_CFLAGS)
FORCE:

$(BUILD)/libpcemu.a: $(HOST_OBJS) $(BUILD)/host.list
	rm -f $@; ar rcs $@ $(HOST_OBJS)

$(BUILD)/san/libpcemu.a: $(SAN_OBJS) $(BUILD)/san.list
	rm -f $@; ar rcs $@ $(SAN_OBJS)

$(BUILD)/pcemu: $(BUILD)/host/main.o $(BUILD)/libpcemu.a
	$(CC) -o $@ $^ $(HOST_LDLIBS)

$(BUILD)/san/pcemu: $(BUILD)/san/host/main.o $(BUILD)/san/libpcemu.a
	$(CC) -fsanitize=address,undefined -o $@ $^ $(HOST_LDLIBS)

# ---- guest ----
# (rebuilt when GUEST_OPT changes the flags)
$(GUEST_OBJS): $(BUILD)/guestflags.list

$(BUILD)/guest/%.o: guest/%.asm guest/arch/x86/long_mode.inc | $(DEPS)
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -g -F dwarf -Iguest/include/ -o $@ $<

# GNU as, for what needs call frame information (isr.S)
$(BUILD)/guest/%.o: guest/%.S | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest/%.o: guest/%.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(BUILD)/guest.elf: $(GUEST_OBJS) linker/guest.ld $(BUILD)/guest.list
	$(LD) $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJS)

# QEMU's multiboot loader takes only ELF32.
$(BUILD)/guest32.elf: $(BUILD)/guest.elf
	$(OBJCOPY) -O elf32-i386 $< $@

# ---- tests ----
$(HOSTGUEST_OBJS): $(BUILD)/hostguest/%.o: %.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HOSTGUEST_CFLAGS) -c $< -o $@

$(HOSTGUEST_LIB): $(HOSTGUEST_OBJS) $(BUILD)/hostguest.list
	rm -f $@; ar rcs $@ $(HOSTGUEST_OBJS)
LIST_hostguest := $(HOSTGUEST_OBJS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/san/libpcemu.a
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -Itests/unit -Itests/shim -Iguest/include -o $@ $< $(UNIT_GUEST) \
	    $(BUILD)/san/libpcemu.a -lcmocka $(HOST_LDLIBS)

# the unit tests of guest modules (the others test pcemu alone);
# test_sha256 runs both ways of computing it, with the SHA extensions'
# code too
GUEST_UNIT_BINS := $(patsubst %,$(BUILD)/tests/unit/test_%,driver_core guest_net sha256 tcp tsc_calib)
$(GUEST_UNIT_BINS): UNIT_GUEST = $(filter %.o,$^) $(HOSTGUEST_LIB)
$(GUEST_UNIT_BINS): $(HOSTGUEST_LIB)
$(BUILD)/tests/unit/test_sha256: $(BUILD)/tools/sha256_ni.o

# (the rig is pcemu's side: its own headers, not the guest's shims)
$(BUILD)/contract/tests/contract/%.o: tests/contract/%.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c $< -o $@

$(BUILD)/tests/contract/%: tests/contract/%.c $(CONTRACT_RIG) $(HOSTGUEST_LIB) \
                           $(BUILD)/san/libpcemu.a
	@mkdir -p $(dir $@)
	$(CC) $(CONTRACT_CFLAGS) -o $@ $< $(CONTRACT_RIG) $(HOSTGUEST_LIB) $(BUILD)/san/libpcemu.a \
	    -lcmocka $(HOST_LDLIBS)

unit: $(UNIT_BINS) $(CONTRACT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS) $(CONTRACT_BINS)

run-guest-tests: $(BUILD)/pcemu guest $(BUILD)/tools/netharness
	@sh tools/run-guest-tests.sh $(BUILD)/pcemu $(BUILD)/guest.elf -append "$(GUEST_APPEND)"

system: $(BUILD)/pcemu $(BUILD)/san/pcemu guest $(BUILD)/tools/unixcat $(BUILD)/tools/netharness
	@sh tests/system/run.sh $(BUILD)

cross: guest $(BUILD)/pcemu $(BUILD)/tools/netharness efi-cross
	@sh tests/cross/run.sh $(BUILD)

check: unit cpu-test fuzz-replay system flood-test lossy soak-check cross grade-check linux-test

bench: $(BUILD)/pcemu guest $(BUILD)/tools/timeit $(BUILD)/tools/netharness
	@sh tools/bench.sh $(BUILD)

# the network tests' host side shares the guest's SHA-256, its SHA
# extensions' code too
$(BUILD)/tools/netharness: tools/netharness.c guest/lib/sha256.c guest/include/sha256.h \
                           $(BUILD)/tools/sha256_ni.o | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Iguest/include -o $@ tools/netharness.c guest/lib/sha256.c \
	    $(BUILD)/tools/sha256_ni.o

$(BUILD)/tools/sha256_ni.o: guest/lib/sha256_ni.asm | $(DEPS)
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -o $@ $<

$(BUILD)/tools/%: tools/%.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $<

include guest/efi/efi.mk
include tests/cpu/cpu.mk
include tests/grade/grade.mk
include tests/linux/linux.mk
include tests/fuzz/fuzz.mk
include tests/system/flood.mk
include tests/system/lossy.mk
include tests/system/soak.mk

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
