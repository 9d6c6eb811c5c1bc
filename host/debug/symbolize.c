/*
 * Address to function and line with libdwfl: the guest ELF is reported
 * "offline" (its addresses as linked), this process through /proc (its
 * addresses as loaded). The line table gives the innermost line; each
 * inlined instance's DW_AT_call_file/call_line gives the line in the
 * function it was inlined into, one scope further out.
 */
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "debug/symbolize.h"

struct symbolizer {
    Dwfl *dwfl;
};

static char *debuginfo_path;

static const Dwfl_Callbacks offline_callbacks = {
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = &debuginfo_path,
};

static const Dwfl_Callbacks proc_callbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_standard_find_debuginfo,
    .debuginfo_path = &debuginfo_path,
};

struct symbolizer *symbolizer_open(const char *path)
{
    struct symbolizer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->dwfl = dwfl_begin(path ? &offline_callbacks : &proc_callbacks);
    if (!s->dwfl) {
        free(s);
        return NULL;
    }
    bool ok = path ? dwfl_report_offline(s->dwfl, path, path, -1) != NULL
                   : dwfl_linux_proc_report(s->dwfl, getpid()) == 0;
    if (dwfl_report_end(s->dwfl, NULL, NULL) != 0 || !ok) {
        symbolizer_close(s);
        return NULL;
    }
    return s;
}

void symbolizer_close(struct symbolizer *s)
{
    if (!s)
        return;
    dwfl_end(s->dwfl);
    free(s);
}

/* One function in the chain of inlined calls at an address. */
struct frame {
    const char *func, *file;
    int line;
};

#define MAX_FRAMES 8

static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute a;
    const char *n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
    return n ? n : "??";
}

/* The frames at addr, innermost first; how many. */
static int frames_at(Dwfl_Module *mod, Dwarf_Addr addr, struct frame *out, const char **comp)
{
    Dwarf_Addr bias;
    Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, &bias);
    if (!cu)
        return 0;
    Dwarf_Attribute a;
    *comp = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
    Dwfl_Line *l = dwfl_module_getsrc(mod, addr);
    int line = 0;
    const char *file = l ? dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) : NULL;
    Dwarf_Files *files = NULL;
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0)
        files = NULL;
    /* dwarf_getscopes lists the scopes of the innermost inlined
     * instance's abstract definition after it; dwarf_getscopes_die on
     * the instance gives the scopes it physically sits in instead */
    Dwarf_Die *scopes = NULL;
    int nscopes = dwarf_getscopes(cu, addr - bias, &scopes), n = 0, i = 0;
    while (i < nscopes && n < MAX_FRAMES) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) {
            i++;
            continue;
        }
        out[n++] = (struct frame){ die_name(&scopes[i]), file, line };
        if (tag == DW_TAG_subprogram)
            break;
        /* the caller's line is where this instance was inlined */
        Dwarf_Word w;
        file = NULL;
        line = 0;
        if (files && dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &a), &w) == 0 &&
            w < nfiles)
            file = dwarf_filesrc(files, w, NULL, NULL);
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &a), &w) == 0)
            line = (int)w;
        Dwarf_Die *outer = NULL;
        Dwarf_Die inst = scopes[i];
        nscopes = dwarf_getscopes_die(&inst, &outer);
        free(scopes);
        scopes = outer;
        i = 1;                      /* [0] is the instance itself */
    }
    free(scopes);
    return n;
}

static bool in_header(const struct frame *f)
{
    size_t n = f->file ? strlen(f->file) : 0;
    return n > 2 && strcmp(f->file + n - 2, ".h") == 0;
}

static const char *relative(const char *file, const char *comp)
{
    size_t n = comp ? strlen(comp) : 0;
    if (file && n && strncmp(file, comp, n) == 0 && file[n] == '/')
        return file + n + 1;
    return file ? file : "??";
}

bool symbolize(struct symbolizer *s, uint64_t addr, char *buf, size_t size)
{
    if (size)
        buf[0] = 0;
    if (!s || !size)
        return false;
    Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, addr);
    if (!mod)
        return false;
    struct frame f[MAX_FRAMES];
    const char *comp = NULL;
    int n = frames_at(mod, addr, f, &comp), first = 0;
    if (n == 0) {
        GElf_Sym sym;
        GElf_Off off;
        const char *name = dwfl_module_addrinfo(mod, addr, &off, &sym, NULL, NULL, NULL);
        if (!name)
            return false;
        snprintf(buf, size, "%s+0x%" PRIx64, name, (uint64_t)off);
        return true;
    }
    /* an inline accessor from a header says less than its caller does */
    while (first < n - 1 && in_header(&f[first]))
        first++;
    size_t used = 0;
    for (int i = first; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s (%s:%d)", i > first ? ", inlined in " : "",
                         f[i].func, relative(f[i].file, comp), f[i].line);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return true;
}
