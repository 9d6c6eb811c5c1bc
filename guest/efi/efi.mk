# BOOTX64.EFI: the guest kernel as a UEFI application, built with Debian's
# gnu-efi (docs/uefi.md). Included from the Makefile; uses its BUILD, CC,
# LD, OBJCOPY, WARN and DEPS.

EFI_INC  ?= /usr/include/efi
EFI_LIB  ?= /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 $(WARN) -Iinclude -I$(EFI_INC) -I$(EFI_INC)/x86_64 -MMD -MP \
              -ffreestanding -fpic -fshort-wchar -fno-stack-protector -fno-stack-check \
              -mno-red-zone -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI
EFI_SRCS := $(sort $(wildcard guest/efi/*.c))
EFI_OBJS := $(EFI_SRCS:%.c=$(BUILD)/efi/%.o)
# the kernel as carried: guest.elf without its symbols and debug info
EFI_KERNEL := $(BUILD)/efi/kernel.elf

$(EFI_KERNEL): $(BUILD)/guest.elf
	@mkdir -p $(dir $@)
	$(OBJCOPY) --strip-all $< $@

$(BUILD)/efi/guest/efi/payload.o: $(EFI_KERNEL)

$(BUILD)/efi/guest/efi/%.o: guest/efi/%.c | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(EFI_CFLAGS) -DKERNEL_ELF='"$(EFI_KERNEL)"' -c $< -o $@

$(BUILD)/efi/loader.so: $(EFI_OBJS) $(BUILD)/efi.list
	$(LD) -nostdlib -znocombreloc -z defs -shared -Bsymbolic -T $(EFI_LIB)/elf_x86_64_efi.lds \
	    -o $@ $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -L$(EFI_LIB) -lefi -lgnuefi
LIST_efi := $(EFI_OBJS)

# the PE32+ application, subsystem 10 (EFI application)
$(BUILD)/BOOTX64.EFI: $(BUILD)/efi/loader.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel \
	    -j .rela -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 \
	    --subsystem=10 $< $@

.PHONY: efi efi-cross
efi: $(BUILD)/BOOTX64.EFI

efi-cross: $(BUILD)/BOOTX64.EFI $(BUILD)/guest.elf $(BUILD)/pcemu $(BUILD)/tools/netharness
	@sh tests/cross/efi.sh $(BUILD)
