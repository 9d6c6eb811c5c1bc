/* The Linux boot protocol loader on made-up bzImages: the setup header's
 * checks, where the kernel and the initrd go, struct boot_params, and the
 * CPU state of the 64-bit and 32-bit entries in a machine's RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot/boot_internal.h"
#include "boot/linux.h"
#include "contract/boot.h"
#include "core/le.h"
#include "machine.h"

#define MiB (1024u * 1024u)
#define SETUP_SECTS 30
#define KERNEL_BYTES 8192

static uint8_t image[(SETUP_SECTS + 1) * 512 + KERNEL_BYTES];

/* A bzImage of protocol 2.15 as a 64-bit kernel of today has it: 30 setup
 * sectors, relocatable, 2 MiB alignment, preferring 16 MiB, init_size
 * 32 MiB, and a kernel whose bytes count up. */
static size_t make(uint16_t version, uint16_t xloadflags)
{
    memset(image, 0, sizeof image);
    image[LINUX_SETUP_SECTS] = SETUP_SECTS;
    put_le32(image + LINUX_SYSSIZE, KERNEL_BYTES / 16);
    put_le16(image + LINUX_BOOT_FLAG, LINUX_BOOT_FLAG_MAGIC);
    image[LINUX_JUMP] = 0xeb;
    image[LINUX_JUMP + 1] = 0x6a;                 /* header ends at 0x26c */
    put_le32(image + LINUX_HEADER, LINUX_HDRS_MAGIC);
    put_le16(image + LINUX_VERSION, version);
    image[LINUX_LOADFLAGS] = LINUX_LOADED_HIGH;
    put_le32(image + LINUX_CODE32_START, 0x100000);
    put_le32(image + LINUX_INITRD_ADDR_MAX, 0x7fffffff);
    put_le32(image + LINUX_KERNEL_ALIGNMENT, 0x200000);
    image[LINUX_RELOCATABLE] = 1;
    put_le16(image + LINUX_XLOADFLAGS, xloadflags);
    put_le32(image + LINUX_CMDLINE_SIZE, 2047);
    put_le64(image + LINUX_PREF_ADDRESS, 0x1000000);
    put_le32(image + LINUX_INIT_SIZE, 32 * MiB);
    for (unsigned i = 0; i < KERNEL_BYTES; i++)
        image[(SETUP_SECTS + 1) * 512 + i] = (uint8_t)(i * 7);
    return sizeof image;
}

static void parse_fails(size_t size, const char *want)
{
    struct linux_image li;
    char why[256] = "";
    assert_int_equal(linux_parse(&li, image, size, why, sizeof why), -1);
    if (!strstr(why, want))
        fail_msg("reason \"%s\" does not say \"%s\"", why, want);
}

static void parses_a_modern_bzimage(void **state)
{
    size_t size = make(0x020f, LINUX_XLF_KERNEL_64);
    assert_true(linux_is_bzimage(image, size));
    struct linux_image li;
    char why[256];
    assert_int_equal(linux_parse(&li, image, size, why, sizeof why), 0);
    assert_int_equal(li.version, 0x020f);
    assert_int_equal(li.setup_size, (SETUP_SECTS + 1) * 512);
    assert_int_equal(li.hdr_end, 0x26c);
    assert_ptr_equal(li.kernel, image + (SETUP_SECTS + 1) * 512);
    assert_int_equal(li.kernel_size, KERNEL_BYTES);
    assert_true(li.entry64);
    assert_true(li.relocatable);
    assert_int_equal(li.kernel_alignment, 0x200000);
    assert_int_equal(li.initrd_addr_max, 0x7fffffff);
    assert_int_equal(li.cmdline_size, 2047);
    assert_int_equal(li.pref_address, 0x1000000);
    assert_int_equal(li.init_size, 32 * MiB);
    /* setup_sects 0 means 4 */
    image[LINUX_SETUP_SECTS] = 0;
    assert_int_equal(linux_parse(&li, image, size, why, sizeof why), 0);
    assert_int_equal(li.setup_size, 5 * 512);
    /* before 2.12 there is no xloadflags: the 32-bit entry */
    make(0x020a, LINUX_XLF_KERNEL_64);
    assert_int_equal(linux_parse(&li, image, size, why, sizeof why), 0);
    assert_false(li.entry64);
    /* 2.06 to 2.09: no pref_address or init_size, a shorter header */
    make(0x0206, 0);
    image[LINUX_JUMP + 1] = 0x3a;                 /* ends at 0x23c */
    assert_int_equal(linux_parse(&li, image, size, why, sizeof why), 0);
    assert_int_equal(li.init_size, 0);
    assert_int_equal(li.pref_address, 0);
}

static void refuses_what_it_cannot_boot(void **state)
{
    size_t size = make(0x020f, LINUX_XLF_KERNEL_64);
    parse_fails(1000, "shorter than its two header sectors");
    put_le32(image + LINUX_HEADER, 0x464c457f);
    assert_false(linux_is_bzimage(image, size));
    parse_fails(size, "no \"HdrS\" at 0x202");
    make(0x020f, LINUX_XLF_KERNEL_64);
    put_le16(image + LINUX_BOOT_FLAG, 0);
    parse_fails(size, "without the 0xaa55 boot flag");
    make(0x0205, LINUX_XLF_KERNEL_64);
    parse_fails(size, "protocol 2.05 is too old");
    make(0x020f, LINUX_XLF_KERNEL_64);
    image[LINUX_LOADFLAGS] = 0;
    parse_fails(size, "a zImage");
    make(0x020f, LINUX_XLF_KERNEL_64);
    image[LINUX_JUMP + 1] = 0x20;                 /* ends at 0x222: no init_size */
    parse_fails(size, "ends at 0x222");
    make(0x020f, LINUX_XLF_KERNEL_64);
    image[LINUX_JUMP] = 0xe9;
    parse_fails(size, "setup header");
    make(0x020f, LINUX_XLF_KERNEL_64);
    parse_fails((SETUP_SECTS + 1) * 512, "the setup code alone");
    parse_fails(size - 16, "the header says 8192 bytes of protected-mode kernel");
}

/* A 64-bit kernel of protocol 2.15 made in image (*size bytes), parsed. */
static struct linux_image parsed_64bit(size_t *size)
{
    *size = make(0x020f, LINUX_XLF_KERNEL_64);
    struct linux_image li;
    char why[256] = "";
    assert_int_equal(linux_parse(&li, image, *size, why, sizeof why), 0);
    return li;
}

static void plans_kernel_and_initrd(void **state)
{
    size_t size;
    struct linux_image li = parsed_64bit(&size);
    struct linux_layout lo;
    char why[256] = "";

    assert_int_equal(linux_plan(&li, 256 * MiB, 3 * MiB + 5, 100, &lo, why, sizeof why), 0);
    assert_int_equal(lo.kernel, 0x100000);
    assert_int_equal(lo.entry, 0x100200);
    /* it runs from pref_address (16 MiB) and needs init_size from there */
    assert_int_equal(lo.kernel_end, 16 * MiB + 32 * MiB);
    /* the initrd at the top of RAM, page-aligned */
    assert_int_equal(lo.initrd, (256 * MiB - (3 * MiB + 5)) & ~0xfffu);
    assert_int_equal(lo.initrd_size, 3 * MiB + 5);
    assert_true(lo.initrd + lo.initrd_size <= 256 * MiB);

    /* below initrd_addr_max, its highest byte */
    put_le32(image + LINUX_INITRD_ADDR_MAX, 0x37ffffff);
    linux_parse(&li, image, size, why, sizeof why);
    assert_int_equal(linux_plan(&li, 2048u * MiB, 4096, 0, &lo, why, sizeof why), 0);
    assert_int_equal(lo.initrd, 0x38000000 - 4096);

    /* no initrd */
    assert_int_equal(linux_plan(&li, 64 * MiB, 0, 0, &lo, why, sizeof why), 0);
    assert_int_equal(lo.initrd, 0);
    assert_int_equal(lo.initrd_size, 0);

    /* the 32-bit entry is the load address itself */
    li.entry64 = false;
    assert_int_equal(linux_plan(&li, 64 * MiB, 0, 0, &lo, why, sizeof why), 0);
    assert_int_equal(lo.entry, 0x100000);

    /* a kernel that is not relocatable runs at pref_address */
    li.relocatable = false;
    li.pref_address = 0x2000000;
    assert_int_equal(linux_plan(&li, 128 * MiB, 0, 0, &lo, why, sizeof why), 0);
    assert_int_equal(lo.kernel_end, 0x2000000 + 32 * MiB);
}

static void plan_refusals(void **state)
{
    size_t size;
    struct linux_image li = parsed_64bit(&size);
    struct linux_layout lo;
    char why[256] = "";
    assert_int_equal(linux_plan(&li, 40 * MiB, 0, 0, &lo, why, sizeof why), -1);
    assert_non_null(strstr(why, "the kernel needs RAM up to 48 MiB"));
    assert_non_null(strstr(why, "-m gives 40 MiB"));
    assert_int_equal(linux_plan(&li, 64 * MiB, 17 * MiB, 0, &lo, why, sizeof why), -1);
    assert_non_null(strstr(why, "-initrd: 17825792 bytes do not fit"));
    assert_non_null(strstr(why, "try a larger -m"));
    assert_int_equal(linux_plan(&li, 64 * MiB, 16 * MiB, 0, &lo, why, sizeof why), 0);
    assert_int_equal(lo.initrd, 48 * MiB);
    assert_int_equal(linux_plan(&li, 64 * MiB, 0, 2048, &lo, why, sizeof why), -1);
    assert_non_null(strstr(why, "2048 bytes, this kernel takes at most 2047"));
    /* a pref_address near the top of the address space does not wrap */
    li.pref_address = UINT64_MAX - 4095;
    assert_int_equal(linux_plan(&li, 256 * MiB, 0, 0, &lo, why, sizeof why), -1);
    assert_non_null(strstr(why, "the kernel runs at 0xfffffffffffff000 (its pref_address)"));
    li.pref_address = 0x1000000;
    li.init_size = UINT32_MAX;
    assert_int_equal(linux_plan(&li, 256 * MiB, 0, 0, &lo, why, sizeof why), -1);
    assert_non_null(strstr(why, "the kernel needs RAM up to 4112 MiB"));
    /* initrd_addr_max below the kernel's end */
    put_le32(image + LINUX_INITRD_ADDR_MAX, 0x00ffffff);
    linux_parse(&li, image, size, why, sizeof why);
    assert_int_equal(linux_plan(&li, 256 * MiB, 4096, 0, &lo, why, sizeof why), -1);
    assert_non_null(strstr(why, "initrd_addr_max"));
}

static void fills_boot_params(void **state)
{
    size_t size = make(0x020f, LINUX_XLF_KERNEL_64);
    image[0x1f2] = 1;               /* root_flags, copied as the kernel left it */
    struct linux_image li;
    struct linux_layout lo;
    char why[256];
    assert_int_equal(linux_parse(&li, image, size, why, sizeof why), 0);
    assert_int_equal(linux_plan(&li, 256 * MiB, 8192, 10, &lo, why, sizeof why), 0);
    const struct mem_range map[] = {
        { 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0x100000, 255 * MiB, 1 },
    };
    static uint8_t bp[LINUX_BP_SIZE];
    memset(bp, 0xcc, sizeof bp);
    linux_boot_params(bp, &li, image, &lo, 0x9000, map, 3);
    /* zeroed but for the header and what a loader writes */
    assert_int_equal(bp[0], 0);
    assert_int_equal(bp[LINUX_BP_SENTINEL], 0);
    assert_int_equal(bp[0x1f2], 1);
    assert_int_equal(get_le32(bp + LINUX_HEADER), LINUX_HDRS_MAGIC);
    assert_int_equal(get_le16(bp + LINUX_VERSION), 0x020f);
    assert_int_equal(get_le32(bp + LINUX_INIT_SIZE), 32 * MiB);
    assert_int_equal(bp[li.hdr_end], 0);               /* nothing past the header */
    assert_int_equal(get_le16(bp + LINUX_VID_MODE), LINUX_VID_NORMAL);
    assert_int_equal(bp[LINUX_TYPE_OF_LOADER], LINUX_LOADER_UNDEFINED);
    assert_int_equal(get_le32(bp + LINUX_CODE32_START), 0x100000);
    assert_int_equal(get_le32(bp + LINUX_CMD_LINE_PTR), 0x9000);
    assert_int_equal(get_le32(bp + LINUX_RAMDISK_IMAGE), lo.initrd);
    assert_int_equal(get_le32(bp + LINUX_RAMDISK_SIZE), 8192);
    assert_int_equal(bp[LINUX_LOADFLAGS], LINUX_LOADED_HIGH);
    assert_int_equal(bp[LINUX_BP_E820_ENTRIES], 3);
    for (unsigned i = 0; i < 3; i++) {
        const uint8_t *e = bp + LINUX_BP_E820_TABLE + i * LINUX_E820_ENTRY_SIZE;
        assert_int_equal(get_le64(e), map[i].base);
        assert_int_equal(get_le64(e + 8), map[i].length);
        assert_int_equal(get_le32(e + 16), map[i].type);
    }
    assert_int_equal(bp[LINUX_BP_E820_TABLE + 3 * LINUX_E820_ENTRY_SIZE], 0);
}

/* Just enough machine for the loader: RAM in the memory address space. */
struct rig {
    struct machine m;
    struct region sys, ram;
};

static struct rig *rig_new(uint64_t size, const char *append)
{
    struct rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->m.ram = calloc(1, size);
    assert_non_null(r->m.ram);
    r->m.ram_size = r->m.lowmem = size;
    r->m.cfg.append = append;
    region_init_container(&r->sys, "system", UINT64_MAX);
    region_init_ram(&r->ram, "pc.ram", size, r->m.ram);
    region_add(&r->sys, &r->ram, 0, 0);
    address_space_init(&r->m.mem_as, "memory", &r->sys);
    return r;
}

static void rig_free(struct rig *r)
{
    free(r->m.ram);
    free(r);
}

static void boots_through_the_64_bit_entry(void **state)
{
    size_t size = make(0x020f, LINUX_XLF_KERNEL_64);
    struct rig *r = rig_new(64 * MiB, "console=ttyS0 root=/dev/ram");
    static const uint8_t initrd[5000] = { 0x30, 0x37, 0x30, 0x37, 0x30, 0x31 };
    struct cpu_state st;
    char why[256] = "";
    assert_int_equal(boot_linux(&r->m, image, size, initrd, sizeof initrd, &st, why,
                                sizeof why), 0);
    uint8_t *ram = r->m.ram;
    assert_memory_equal(ram + 0x100000, image + (SETUP_SECTS + 1) * 512, KERNEL_BYTES);
    uint32_t rd = get_le32(ram + PCEMU_BOOT_INFO + LINUX_RAMDISK_IMAGE);
    assert_int_equal(rd, (64 * MiB - sizeof initrd) & ~0xfffu);
    assert_memory_equal(ram + rd, initrd, sizeof initrd);
    assert_int_equal(get_le32(ram + PCEMU_BOOT_INFO + LINUX_CMD_LINE_PTR), PCEMU_BOOT_CMDLINE);
    assert_string_equal((char *)ram + PCEMU_BOOT_CMDLINE, "console=ttyS0 root=/dev/ram");
    /* the e820 map is pcemu's: low RAM, the EBDA, the BIOS area, RAM from 1 MiB */
    const uint8_t *bp = ram + PCEMU_BOOT_INFO;
    assert_int_equal(bp[LINUX_BP_E820_ENTRIES], 4);
    const uint8_t *last = bp + LINUX_BP_E820_TABLE + 3 * LINUX_E820_ENTRY_SIZE;
    assert_int_equal(get_le64(last), 0x100000);
    assert_int_equal(get_le64(last + 8), 63 * MiB);
    assert_int_equal(get_le32(last + 16), 1);

    /* 64-bit mode at startup_64, RSI = boot_params, interrupts off */
    assert_int_equal(st.rip, 0x100200);
    assert_int_equal(st.rsi, PCEMU_BOOT_INFO);
    assert_int_equal(st.rflags & 0x200, 0);
    assert_int_equal(st.cs.selector, LINUX_BOOT_CS);
    assert_int_equal(st.cs.l, 1);
    assert_int_equal(st.cs.db, 0);
    assert_int_equal(st.ds.selector, LINUX_BOOT_DS);
    assert_int_equal(st.es.selector, LINUX_BOOT_DS);
    assert_int_equal(st.ss.selector, LINUX_BOOT_DS);
    assert_int_equal(st.cr0 & 0x80000001u, 0x80000001u);
    assert_int_equal(st.cr4 & 0x20, 0x20);
    assert_int_equal(st.efer & 0x500, 0x500);
    assert_int_equal(st.cr3, PCEMU_BOOT_PML4);
    /* the GDT has __BOOT_CS (64-bit code) and __BOOT_DS (flat data) */
    assert_int_equal(st.gdt_base, PCEMU_BOOT_GDT);
    assert_true(st.gdt_limit >= LINUX_BOOT_DS + 7);
    assert_int_equal(get_le64(ram + PCEMU_BOOT_GDT + LINUX_BOOT_CS), 0x00af9b000000ffffull);
    assert_int_equal(get_le64(ram + PCEMU_BOOT_GDT + LINUX_BOOT_DS), 0x00cf93000000ffffull);
    /* identity-mapped: the first 2 MiB page of the first GiB */
    uint64_t pml4e = get_le64(ram + PCEMU_BOOT_PML4);
    assert_int_equal(pml4e & 1, 1);
    uint64_t pdpte = get_le64(ram + (pml4e & ~0xfffull));
    uint64_t pde = get_le64(ram + (pdpte & ~0xfffull));
    assert_int_equal(pde & ~0xfffull, 0);
    assert_int_equal(pde & 0x81, 0x81);
    rig_free(r);
}

static void boots_through_the_32_bit_entry(void **state)
{
    size_t size = make(0x020f, 0);          /* no XLF_KERNEL_64 */
    struct rig *r = rig_new(64 * MiB, NULL);
    struct cpu_state st;
    char why[256] = "";
    assert_int_equal(boot_linux(&r->m, image, size, NULL, 0, &st, why, sizeof why), 0);
    assert_int_equal(st.rip, 0x100000);
    assert_int_equal(st.rsi, PCEMU_BOOT_INFO);
    assert_int_equal(st.rbx | st.rbp | st.rdi, 0);
    assert_int_equal(st.cs.selector, LINUX_BOOT_CS);
    assert_int_equal(st.cs.l, 0);
    assert_int_equal(st.cs.db, 1);
    assert_int_equal(st.cr0 & 0x80000001u, 1);     /* protected mode, paging off */
    assert_int_equal(st.efer, 0);
    assert_int_equal(get_le64(r->m.ram + PCEMU_BOOT_GDT + LINUX_BOOT_CS), 0x00cf9b000000ffffull);
    assert_int_equal(get_le32(r->m.ram + PCEMU_BOOT_INFO + LINUX_RAMDISK_IMAGE), 0);
    assert_int_equal(r->m.ram[PCEMU_BOOT_CMDLINE], 0);   /* an empty line */
    rig_free(r);
}

static void boot_refusals_name_the_limit(void **state)
{
    size_t size = make(0x020f, LINUX_XLF_KERNEL_64);
    struct rig *r = rig_new(32 * MiB, NULL);
    struct cpu_state st;
    char why[256] = "";
    assert_int_equal(boot_linux(&r->m, image, size, NULL, 0, &st, why, sizeof why), -1);
    assert_non_null(strstr(why, "-m gives 32 MiB"));
    rig_free(r);
    static char line[PCEMU_BOOT_CMDLINE_MAX + 1];
    memset(line, 'x', sizeof line - 1);
    r = rig_new(64 * MiB, line);
    assert_int_equal(boot_linux(&r->m, image, size, NULL, 0, &st, why, sizeof why), -1);
    assert_non_null(strstr(why, "at most 4095 fit"));
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_modern_bzimage),
        cmocka_unit_test(refuses_what_it_cannot_boot),
        cmocka_unit_test(plans_kernel_and_initrd),
        cmocka_unit_test(plan_refusals),
        cmocka_unit_test(fills_boot_params),
        cmocka_unit_test(boots_through_the_64_bit_entry),
        cmocka_unit_test(boots_through_the_32_bit_entry),
        cmocka_unit_test(boot_refusals_name_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
