# The x86 interpreter's tests: differential against the host CPU and
# system tests against the SDM (tests/cpu/main.c says what runs).
# Included from the top-level Makefile after HOST_CFLAGS, SAN_CFLAGS, NASM
# and BUILD are set. `make cpu-test` builds and runs them, sanitized.

CPU_TEST_DIR    := $(BUILD)/tests/cpu
CPU_TEST_BIN    := $(CPU_TEST_DIR)/cpu-test
CPU_INTERP_SRCS := $(sort $(wildcard host/cpu/interp/*.c))
CPU_TEST_SRCS   := $(sort $(wildcard tests/cpu/*.c))
CPU_CASE_SRCS   := $(sort $(wildcard tests/cpu/cases/*.asm))
CPU_SYS_SRCS    := $(sort $(wildcard tests/cpu/sys/*.asm))
CPU_INTERP_OBJS := $(CPU_INTERP_SRCS:%.c=$(CPU_TEST_DIR)/%.o)
CPU_TEST_OBJS   := $(CPU_TEST_SRCS:%.c=$(CPU_TEST_DIR)/%.o) \
                   $(CPU_TEST_DIR)/tests/cpu/trampoline.o \
                   $(CPU_CASE_SRCS:%.asm=$(CPU_TEST_DIR)/%.o) \
                   $(CPU_SYS_SRCS:%.asm=$(CPU_TEST_DIR)/%.o)
CPU_NASM_DEPS   := tests/cpu/cases.inc tests/cpu/layout.inc guest/arch/x86/long_mode.inc

.PHONY: cpu-test

cpu-test: $(CPU_TEST_BIN)
	$(CPU_TEST_BIN)

$(CPU_TEST_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c $< -o $@

$(CPU_TEST_DIR)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(CPU_TEST_DIR)/%.o: %.asm $(CPU_NASM_DEPS)
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -g -F dwarf -Itests/cpu/ -DCASE_FILE='"$(notdir $<)"' -o $@ $<

# the list of objects is part of what the link depends on (a case file
# removed must leave it)
$(CPU_TEST_DIR)/objs.list: FORCE
	@mkdir -p $(dir $@)
	@echo '$(CPU_TEST_OBJS) $(CPU_INTERP_OBJS)' | cmp -s - $@ || \
	    echo '$(CPU_TEST_OBJS) $(CPU_INTERP_OBJS)' > $@

# the interpreter as an archive: only what the tests use is linked (not a
# backend's glue to the rest of pcemu)
$(CPU_TEST_DIR)/libx86.a: $(CPU_INTERP_OBJS) $(CPU_TEST_DIR)/objs.list
	rm -f $@; ar rcs $@ $(CPU_INTERP_OBJS)

$(CPU_TEST_BIN): $(CPU_TEST_OBJS) $(CPU_TEST_DIR)/libx86.a $(CPU_TEST_DIR)/objs.list
	$(CC) -fsanitize=address,undefined -o $@ $(CPU_TEST_OBJS) $(CPU_TEST_DIR)/libx86.a
