/*
 * ELF32/ELF64 little-endian x86 executables. Everything read from the
 * file is checked against its size before use: a guest image is input.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include "boot/elf.h"

static bool in_file(const struct elf_image *img, uint64_t off, uint64_t len)
{
    return off <= img->size && len <= img->size - off;
}

static void load_phdr(struct elf_image *img, const uint8_t *p, struct elf_segment *s)
{
    if (img->is64) {
        Elf64_Phdr ph;
        memcpy(&ph, p, sizeof ph);
        *s = (struct elf_segment){ ph.p_type, ph.p_offset, ph.p_paddr, ph.p_vaddr,
                                   ph.p_filesz, ph.p_memsz };
    } else {
        Elf32_Phdr ph;
        memcpy(&ph, p, sizeof ph);
        *s = (struct elf_segment){ ph.p_type, ph.p_offset, ph.p_paddr, ph.p_vaddr,
                                   ph.p_filesz, ph.p_memsz };
    }
}

int elf_parse(struct elf_image *img, const uint8_t *data, size_t size,
              char *why, size_t whylen)
{
    memset(img, 0, sizeof *img);
    img->data = data;
    img->size = size;

    if (size < EI_NIDENT || memcmp(data, ELFMAG, SELFMAG) != 0) {
        snprintf(why, whylen, "not an ELF file");
        return -1;
    }
    if (data[EI_CLASS] != ELFCLASS32 && data[EI_CLASS] != ELFCLASS64) {
        snprintf(why, whylen, "unknown ELF class %u", data[EI_CLASS]);
        return -1;
    }
    if (data[EI_DATA] != ELFDATA2LSB) {
        snprintf(why, whylen, "not a little-endian ELF file");
        return -1;
    }
    img->is64 = data[EI_CLASS] == ELFCLASS64;

    uint64_t phoff;
    unsigned phnum, phentsize, type;
    size_t ehsize = img->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (size < ehsize) {
        snprintf(why, whylen, "truncated (%zu bytes, the ELF header alone is %zu)", size,
                 ehsize);
        return -1;
    }
    if (img->is64) {
        Elf64_Ehdr eh;
        memcpy(&eh, data, sizeof eh);
        type = eh.e_type; img->machine = eh.e_machine; img->entry = eh.e_entry;
        phoff = eh.e_phoff; phnum = eh.e_phnum; phentsize = eh.e_phentsize;
    } else {
        Elf32_Ehdr eh;
        memcpy(&eh, data, sizeof eh);
        type = eh.e_type; img->machine = eh.e_machine; img->entry = eh.e_entry;
        phoff = eh.e_phoff; phnum = eh.e_phnum; phentsize = eh.e_phentsize;
    }

    if (type != ET_EXEC) {
        snprintf(why, whylen, "ELF type %u is not an executable (ET_EXEC)", type);
        return -1;
    }
    if (img->machine != EM_X86_64 && img->machine != EM_386) {
        snprintf(why, whylen, "ELF machine %u is not x86 (3) or x86-64 (62)", img->machine);
        return -1;
    }
    size_t want = img->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
    if (phnum == 0) {
        snprintf(why, whylen, "no program headers");
        return -1;
    }
    if (phentsize != want) {
        snprintf(why, whylen, "program header size %u, expected %zu", phentsize, want);
        return -1;
    }
    if (phnum > ELF_MAX_PHDRS) {
        snprintf(why, whylen, "%u program headers, at most %d supported", phnum, ELF_MAX_PHDRS);
        return -1;
    }
    if (!in_file(img, phoff, (uint64_t)phnum * want)) {
        snprintf(why, whylen, "truncated (program headers at offset %llu run past the end "
                 "of the %zu-byte file)", (unsigned long long)phoff, size);
        return -1;
    }
    for (unsigned i = 0; i < phnum; i++) {
        struct elf_segment *s = &img->segs[i];
        load_phdr(img, data + phoff + i * want, s);
        if (s->type != PT_LOAD && s->type != PT_NOTE)
            continue;
        if (!in_file(img, s->offset, s->filesz)) {
            snprintf(why, whylen, "truncated (segment %u: %llu bytes at offset %llu, "
                     "file has %zu)", i, (unsigned long long)s->filesz,
                     (unsigned long long)s->offset, size);
            return -1;
        }
        if (s->type == PT_LOAD && s->filesz > s->memsz) {
            snprintf(why, whylen, "segment %u: file size %llu exceeds memory size %llu",
                     i, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
            return -1;
        }
    }
    img->nsegs = phnum;
    return 0;
}

static uint64_t align4(uint64_t v)
{
    return (v + 3) & ~3ull;
}

const void *elf_find_note(const struct elf_image *img, const char *name,
                          uint32_t type, size_t *desclen)
{
    size_t namelen = strlen(name) + 1;
    for (unsigned i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->segs[i];
        if (s->type != PT_NOTE)
            continue;
        const uint8_t *p = img->data + s->offset;
        uint64_t left = s->filesz;
        while (left >= 12) {
            uint32_t hdr[3];
            memcpy(hdr, p, sizeof hdr);
            uint64_t nsz = align4(hdr[0]), dsz = align4(hdr[1]);
            if (nsz > left - 12 || dsz > left - 12 - nsz)
                break;     /* malformed: stop rather than read past it */
            const char *n = (const char *)p + 12;
            if (hdr[2] == type && hdr[0] == namelen && memcmp(n, name, namelen) == 0) {
                *desclen = hdr[1];
                return p + 12 + nsz;
            }
            p += 12 + nsz + dsz;
            left -= 12 + nsz + dsz;
        }
    }
    return NULL;
}
