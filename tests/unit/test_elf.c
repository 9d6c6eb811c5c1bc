/* The ELF parser on hostile input: every field checked against the file. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "boot/elf.h"
#include "contract/boot.h"

/* A minimal valid ELF64: header, two program headers (LOAD, NOTE), a
 * note carrying the pcemu entry and 64 bytes of "code". */
struct image {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[2];
    uint32_t note_hdr[3];
    char note_name[8];
    uint32_t note_desc[2];   /* 4-aligned, as in a note */
    uint8_t code[64];
};

static void make(struct image *im)
{
    memset(im, 0, sizeof *im);
    memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
    im->eh.e_ident[EI_CLASS] = ELFCLASS64;
    im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    im->eh.e_ident[EI_VERSION] = EV_CURRENT;
    im->eh.e_type = ET_EXEC;
    im->eh.e_machine = EM_X86_64;
    im->eh.e_entry = 0x100000;
    im->eh.e_phoff = offsetof(struct image, ph);
    im->eh.e_phentsize = sizeof(Elf64_Phdr);
    im->eh.e_phnum = 2;
    im->eh.e_ehsize = sizeof(Elf64_Ehdr);
    im->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = offsetof(struct image, code),
                              .p_paddr = 0x100000, .p_filesz = 64, .p_memsz = 128 };
    im->ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = offsetof(struct image, note_hdr),
                              .p_filesz = 12 + 8 + 8 };
    im->note_hdr[0] = 6;
    im->note_hdr[1] = 8;
    im->note_hdr[2] = PCEMU_NOTE_ENTRY64;
    memcpy(im->note_name, "pcemu", 6);
    im->note_desc[0] = 0x100040;
}

static int parse(struct image *im, size_t size, char *why)
{
    struct elf_image img;
    return elf_parse(&img, (const uint8_t *)im, size, why, 200);
}

static void valid_image_parses_and_finds_note(void **state)
{
    struct image im;
    make(&im);
    struct elf_image img;
    char why[200];
    assert_int_equal(elf_parse(&img, (uint8_t *)&im, sizeof im, why, sizeof why), 0);
    assert_true(img.is64);
    assert_int_equal(img.nsegs, 2);
    size_t len = 0;
    const void *d = elf_find_note(&img, PCEMU_NOTE_NAME, PCEMU_NOTE_ENTRY64, &len);
    assert_non_null(d);
    assert_int_equal(len, 8);
    uint64_t entry;
    memcpy(&entry, d, 8);
    assert_int_equal(entry, 0x100040);
    assert_null(elf_find_note(&img, "Xen", 18, &len));
}

static void every_truncation_is_refused_not_read_past(void **state)
{
    struct image im;
    make(&im);
    char why[200];
    /* Each prefix shorter than the note's end must fail cleanly (ASan
     * proves nothing past the buffer is read). */
    size_t need = offsetof(struct image, code) + 64;
    for (size_t n = 0; n < need; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, &im, n);
        struct elf_image img;
        int r = elf_parse(&img, copy, n, why, sizeof why);
        assert_int_equal(r, -1);
        free(copy);
    }
}

static void messages_name_the_problem(void **state)
{
    struct image im;
    char why[200];
    make(&im);
    im.eh.e_ident[0] = 0;
    assert_int_equal(parse(&im, sizeof im, why), -1);
    assert_string_equal(why, "not an ELF file");

    make(&im);
    im.eh.e_type = ET_DYN;
    assert_int_equal(parse(&im, sizeof im, why), -1);
    assert_non_null(strstr(why, "not an executable"));

    make(&im);
    im.eh.e_machine = EM_ARM;
    assert_int_equal(parse(&im, sizeof im, why), -1);
    assert_non_null(strstr(why, "is not x86"));

    make(&im);
    im.eh.e_phnum = 0xffff;
    assert_int_equal(parse(&im, sizeof im, why), -1);
    assert_non_null(strstr(why, "program headers"));

    make(&im);
    im.eh.e_phoff = UINT64_MAX - 8;     /* offset + size wraps */
    assert_int_equal(parse(&im, sizeof im, why), -1);
    assert_non_null(strstr(why, "truncated"));

    make(&im);
    im.ph[0].p_offset = UINT64_MAX - 10;
    assert_int_equal(parse(&im, sizeof im, why), -1);
    assert_non_null(strstr(why, "segment 0"));

    make(&im);
    im.ph[0].p_filesz = 256;
    im.ph[0].p_memsz = 128;
    assert_int_equal(parse(&im, sizeof im, why), -1);

    make(&im);
    im.eh.e_phentsize = 12;
    assert_int_equal(parse(&im, sizeof im, why), -1);
    assert_non_null(strstr(why, "program header size"));
}

static void malformed_notes_are_skipped(void **state)
{
    struct image im;
    char why[200];
    struct elf_image img;
    size_t len;
    make(&im);
    im.note_hdr[0] = 0xfffffff0;          /* name size past the segment */
    assert_int_equal(elf_parse(&img, (uint8_t *)&im, sizeof im, why, sizeof why), 0);
    assert_null(elf_find_note(&img, PCEMU_NOTE_NAME, PCEMU_NOTE_ENTRY64, &len));
    make(&im);
    im.note_hdr[1] = 0xffffffff;          /* descriptor size overflows when aligned */
    assert_int_equal(elf_parse(&img, (uint8_t *)&im, sizeof im, why, sizeof why), 0);
    assert_null(elf_find_note(&img, PCEMU_NOTE_NAME, PCEMU_NOTE_ENTRY64, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_image_parses_and_finds_note),
        cmocka_unit_test(every_truncation_is_refused_not_read_past),
        cmocka_unit_test(messages_name_the_problem),
        cmocka_unit_test(malformed_notes_are_skipped),
    };
    return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
