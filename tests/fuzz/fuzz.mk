# Fuzzing (issue 13): libFuzzer targets built with clang, ASan and UBSan,
# and the same targets built with gcc, ASan and UBSan against a main()
# that replays every file of their seed corpora once.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="e1000 gdb"] [FUZZ_MERGE=1]
#   make fuzz-replay
#   make fuzz-corpus          (writes the generated seeds into the repo)
#
# `make fuzz` runs each target for FUZZ_SECONDS on a copy of its corpus
# in $(BUILD)/fuzz/run/; FUZZ_MERGE=1 merges what it found back into
# tests/fuzz/corpus/. Included from the top-level Makefile after BUILD,
# CC, WARN, HOST_LIB_SRCS, HOST_LDLIBS and the guest code for host tests
# (HOSTGUEST_*) are set.

FUZZ_ALL     := e1000 pci gdb monitor stack
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
FUZZ_MERGE   ?= 0
FUZZ_CLANG   ?= clang
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := $(SAN)
FUZZ_BASE    := -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -MMD -MP
# FUZZ_EXTRA_CFLAGS=-DFUZZ_CHECK_KNOWN_BUGS checks what tests/fuzz/crashes/
# reproduces (the harnesses skip those known bugs by default)
FUZZ_EXTRA_CFLAGS ?=
FUZZ_CLANG_CFLAGS := $(FUZZ_BASE) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(FUZZ_EXTRA_CFLAGS)
FUZZ_GCC_CFLAGS   := $(FUZZ_BASE) $(FUZZ_SAN) $(FUZZ_EXTRA_CFLAGS)

# What each target is built from; the host targets link pcemu's library
# (clang's own build of it, or $(BUILD)/san/libpcemu.a for the replay),
# the stack target the guest's code for host tests (clang's own build of
# it, or $(HOSTGUEST_LIB) for the replay).
FUZZ_SRCS_e1000   := $(sort $(wildcard tests/fuzz/e1000/*.c)) tests/fuzz/common/bus_rig.c
FUZZ_SRCS_pci     := $(sort $(wildcard tests/fuzz/pci/*.c)) tests/fuzz/common/bus_rig.c
FUZZ_SRCS_gdb     := $(sort $(wildcard tests/fuzz/gdb/*.c)) tests/fuzz/common/machine_rig.c
FUZZ_SRCS_monitor := $(sort $(wildcard tests/fuzz/monitor/*.c)) tests/fuzz/common/machine_rig.c
# (guest/lib/string.c is not in the guest's library: libc's functions,
# which ASan watches, take its place)
FUZZ_SRCS_stack   := $(sort $(wildcard tests/fuzz/stack/*.c))
FUZZ_HOST_INC  := -Iinclude -Ihost -Itests/fuzz/common
FUZZ_GUEST_INC := $(HOSTGUEST_INC) -Itests/fuzz/common

FUZZ_CLANG_LIB := $(FUZZ_DIR)/clang/libpcemu.a
FUZZ_GCC_LIB   := $(BUILD)/san/libpcemu.a
$(foreach t,e1000 pci gdb monitor,$(eval FUZZ_INC_$(t) := $(FUZZ_HOST_INC)) \
    $(eval FUZZ_LIB_clang_$(t) := $(FUZZ_CLANG_LIB)) $(eval FUZZ_LIB_gcc_$(t) := $(FUZZ_GCC_LIB)) \
    $(eval FUZZ_LDLIBS_$(t) := $(HOST_LDLIBS)))
FUZZ_INC_stack := $(FUZZ_GUEST_INC)
FUZZ_LIB_clang_stack := $(FUZZ_DIR)/clang/libguest.a
FUZZ_LIB_gcc_stack   := $(HOSTGUEST_LIB)

# pcemu's sources under clang: its -Wextra finds two things gcc's does
# not (a designated initializer without every field in the interpreter's
# opcode table, a flexible-array struct inside another in kvm.c)
FUZZ_LIB_OBJS := $(HOST_LIB_SRCS:%.c=$(FUZZ_DIR)/clang/lib/%.o)
$(FUZZ_DIR)/clang/lib/%.o: %.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CLANG) $(FUZZ_CLANG_CFLAGS) -Wno-missing-field-initializers \
	    -Wno-gnu-variable-sized-type-not-at-end -Iinclude -Ihost -c $< -o $@

$(FUZZ_CLANG_LIB): $(FUZZ_LIB_OBJS)
	rm -f $@; ar rcs $@ $(FUZZ_LIB_OBJS)

# the guest's code for host tests under clang, for coverage
FUZZ_GUEST_OBJS := $(HOSTGUEST_SRCS:%.c=$(FUZZ_DIR)/clang/hostguest/%.o)
$(FUZZ_DIR)/clang/hostguest/%.o: %.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CLANG) $(FUZZ_CLANG_CFLAGS) $(HOSTGUEST_INC) -c $< -o $@

$(FUZZ_DIR)/clang/libguest.a: $(FUZZ_GUEST_OBJS)
	rm -f $@; ar rcs $@ $(FUZZ_GUEST_OBJS)

$(FUZZ_DIR)/gcc/replay_main.o: tests/fuzz/common/replay_main.c
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_GCC_CFLAGS) -c $< -o $@

define FUZZ_TARGET_RULES
FUZZ_OBJS_clang_$(1) := $$(FUZZ_SRCS_$(1):%.c=$$(FUZZ_DIR)/clang/$(1)/%.o)
FUZZ_OBJS_gcc_$(1)   := $$(FUZZ_SRCS_$(1):%.c=$$(FUZZ_DIR)/gcc/$(1)/%.o)
$$(FUZZ_DIR)/clang/$(1)/%.o: %.c | $$(DEPS)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CLANG) $$(FUZZ_CLANG_CFLAGS) $$(FUZZ_INC_$(1)) -c $$< -o $$@
$$(FUZZ_DIR)/gcc/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(FUZZ_GCC_CFLAGS) $$(FUZZ_INC_$(1)) -c $$< -o $$@
$$(FUZZ_DIR)/clang/fuzz_$(1): $$(FUZZ_OBJS_clang_$(1)) $$(FUZZ_LIB_clang_$(1))
	$$(FUZZ_CLANG) -fsanitize=fuzzer,address,undefined -o $$@ $$^ $$(FUZZ_LDLIBS_$(1))
$$(FUZZ_DIR)/gcc/replay_$(1): $$(FUZZ_OBJS_gcc_$(1)) $$(FUZZ_DIR)/gcc/replay_main.o \
                             $$(FUZZ_LIB_gcc_$(1))
	$$(CC) -fsanitize=address,undefined -o $$@ $$^ $$(FUZZ_LDLIBS_$(1))
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_TARGET_RULES,$(t))))

FUZZ_BINS   := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/clang/fuzz_%)
REPLAY_BINS := $(FUZZ_ALL:%=$(FUZZ_DIR)/gcc/replay_%)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-corpus

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_MERGE) $(FUZZ_TARGETS)

fuzz-replay: $(REPLAY_BINS)
	@sh tests/fuzz/replay.sh $(FUZZ_DIR) $(FUZZ_ALL)

FUZZ_GEN_SRCS := $(sort $(wildcard tests/fuzz/gen/*.c))
$(FUZZ_DIR)/gen_corpus: $(FUZZ_GEN_SRCS) $(wildcard tests/fuzz/*/ops.h tests/fuzz/gen/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O1 -g $(WARN) -Itests/fuzz -Iinclude -o $@ $(FUZZ_GEN_SRCS)

fuzz-corpus: $(FUZZ_DIR)/gen_corpus
	$(FUZZ_DIR)/gen_corpus tests/fuzz/corpus tests/fuzz/crashes
