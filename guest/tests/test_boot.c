/* What the boot path handed over: a memory map with RAM below 640 KiB
 * and a range holding the kernel, on the multiboot path the flags a
 * GRUB-like loader sets, and with boot.ram_mib=N on the command line
 * (the system tests pass -m's size) exactly that much RAM. */
#include "contract/boot.h"
#include "kernel.h"
#include "tap.h"

extern char __image_end[];

SELFTEST(12, boot_info)
{
    EXPECT_TRUE(t, boot.ram_ranges >= 2, "RAM ranges in the memory map (below 640 KiB, above 1 MiB)");
    EXPECT_TRUE(t, boot.low_ram, "RAM from address 0");
    EXPECT_TRUE(t, boot.image_in_ram, "one RAM range holds the whole kernel image");
    EXPECT_TRUE(t, boot.ram_bytes > (uint64_t)__image_end, "RAM reaches past the kernel");
    if (strcmp(boot.path, "multiboot") == 0) {
        uint32_t want = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MEM_MAP;
        EXPECT_EQ(t, want, boot.mb_flags & want,
                  "multiboot flags: memory sizes, command line, memory map");
    }
    const char *mib = cmdline_get("boot.ram_mib");
    if (mib) {
        uint64_t n = 0;
        for (const char *p = mib; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (uint64_t)(*p - '0');
        EXPECT_EQ(t, n << 20, boot.ram_bytes, "RAM in the memory map (boot.ram_mib=)");
    }
}
