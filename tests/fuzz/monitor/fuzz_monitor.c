/*
 * The monitor's command parser (monitor_execute) on the machine, with
 * commands as a person types them (blanks, tabs, CR LF, arguments where
 * none belong), any line at all, and the machine changed in between
 * (e1000 registers and rings, BARs, memory) so that `info` has different
 * things to show.
 *
 * Checked: output is text (no NUL, lines ended; printable when the line
 * was); `info` changes nothing (e1000 registers, configuration space,
 * memory); stop, cont, quit and set_link do what they say and `info
 * status` and `info network` agree; unknown commands and extra arguments
 * are refused by name; `help` names every command; `info mtree -f` is
 * sorted, disjoint, and each range resolves to the region it names.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "debug/monitor.h"
#include "hw/e1000_internal.h"
#include "input.h"
#include "machine_rig.h"

#define NIC ((struct e1000 *)board_dev(&M.board, "e1000"))
#include "ops.h"

static const char *const commands[] = {
    "help", "help info", "help cont", "help nothing", "?", "info", "info mtree",
    "info mtree -f", "info mtree -x", "info qtree", "info pci", "info status",
    "info network", "info e1000", "info nothing", "cont", "c", "stop", "quit", "q",
    "set_link e1000 on", "set_link e1000 off", "set_link e1000 maybe", "set_link eth0 on",
    "set_link", "", "info  pci", "help set_link",
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static char *output;
static size_t output_len;

static void run(const char *line)
{
    free(output);
    output = NULL;
    output_len = 0;
    FILE *out = open_memstream(&output, &output_len);
    FUZZ_CHECK(out != NULL, "open_memstream");
    monitor_execute(&M, line, out);
    fclose(out);
    fuzz_trace("(pcemu) %s\n%s", line, output);
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if (!isprint((unsigned char)*s) && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static void check_text(const char *line)
{
    FUZZ_CHECK(strlen(output) == output_len, "NUL in the output of '%s'", line);
    FUZZ_CHECK(!output_len || output[output_len - 1] == '\n', "'%s': last line unterminated",
               line);
    if (printable(line))
        FUZZ_CHECK(printable(output), "'%s' printed a control character", line);
    FUZZ_CHECK(output_len < (1u << 20), "'%s' printed %zu bytes", line, output_len);
}

/* The words of a line as the monitor's documented syntax has them: at
 * most 1023 characters, trailing newline, CR and blanks dropped, words
 * between blanks and tabs. */
static int words(const char *line, char w[3][64])
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", line);
    size_t len = strlen(buf);
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
        buf[--len] = 0;
    int n = 0;
    const char *p = buf;
    while (n < 3) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        size_t k = 0;
        while (*p && *p != ' ' && *p != '\t') {
            if (k < 63)
                w[n][k++] = *p;
            p++;
        }
        w[n++][k] = 0;
    }
    return n;
}

/* `info mtree -f`: each FlatView's ranges ascend without overlap, and
 * each one's start resolves to the region the line names. */
static void check_flat_view(void)
{
    struct address_space *as = NULL;
    uint64_t prev_end = 0;
    bool first = true;
    for (char *l = output; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = 0;
        uint64_t start, end;
        int prio, used = 0;
        char kind[16];
        if (strstr(l, "AS \"memory\"")) {
            as = &M.mem_as;
            first = true;
        } else if (strstr(l, "AS \"I/O\"")) {
            as = &M.io_as;
            first = true;
        } else if (strstr(l, "Root memory region: (none)")) {
            as = NULL;
        } else if (as && sscanf(l, "  %" SCNx64 "-%" SCNx64 " (prio %d, %15[^)]): %n", &start,
                                &end, &prio, kind, &used) == 4 && used) {
            FUZZ_CHECK(start <= end, "flat view range %s", l);
            FUZZ_CHECK(first || start > prev_end, "flat view range %s overlaps the one before", l);
            first = false;
            prev_end = end;
            char name[64];
            sscanf(l + used, "%63s", name);
            uint64_t off;
            const struct region *r = address_space_lookup(as, start, &off);
            const char *rn = r ? r->name : as->root->name;
            FUZZ_CHECK(strcmp(rn, name) == 0, "flat view says %s at 0x%" PRIx64
                       ", the dispatcher finds %s", name, start, rn);
        }
        if (nl)
            *nl = '\n';
        l = nl ? nl + 1 : NULL;
    }
}

struct snapshot {
    uint32_t regs[E1000_NREGS];
    uint8_t config[3][PCI_CONFIG_SIZE];
    uint8_t ram[MRIG_RAM_SIZE];
};

static void take(struct snapshot *s)
{
    memcpy(s->regs, NIC->regs, sizeof s->regs);
    memcpy(s->config[0], M.board.pci.dev.config, PCI_CONFIG_SIZE);
    memcpy(s->config[1], board_pci(&M.board, "piix3")->config, PCI_CONFIG_SIZE);
    memcpy(s->config[2], e1000dev_pci(NIC)->config, PCI_CONFIG_SIZE);
    memcpy(s->ram, mrig_ram, MRIG_RAM_SIZE);
}

static void check_line(const char *line)
{
    static struct snapshot before, after;
    char w[3][64];
    int n = words(line, w);
    bool info = n >= 1 && strcmp(w[0], "info") == 0;
    if (info)
        take(&before);
    bool was_paused = M.paused, was_stopped = M.stop;
    run(line);
    check_text(line);
    if (n == 0) {
        FUZZ_CHECK(output_len == 0, "an empty line printed '%s'", output);
        return;
    }
    static const char *const known[] = { "help", "?", "info", "cont", "c", "stop", "quit", "q",
                                         "set_link" };
    bool is_known = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        is_known |= strcmp(w[0], known[i]) == 0;
    if (!is_known) {
        FUZZ_CHECK(strncmp(output, "unknown command: '", 18) == 0, "'%s' answered '%s'", line,
                   output);
        return;
    }
    bool no_args = strcmp(w[0], "cont") == 0 || strcmp(w[0], "c") == 0 ||
                   strcmp(w[0], "stop") == 0 || strcmp(w[0], "quit") == 0 ||
                   strcmp(w[0], "q") == 0;
    if (no_args && n > 1) {
        FUZZ_CHECK(strstr(output, "takes no argument") != NULL, "'%s' took an argument", line);
        FUZZ_CHECK(M.paused == was_paused && M.stop == was_stopped,
                   "'%s' acted on an argument it refused",
                   line);
        return;
    }
    if (info) {
        take(&after);
        FUZZ_CHECK(memcmp(&before, &after, sizeof before) == 0, "'%s' changed the machine", line);
        if (n == 3 && strcmp(w[1], "mtree") == 0 && strcmp(w[2], "-f") == 0)
            check_flat_view();
        if (n == 2 && strcmp(w[1], "status") == 0)
            FUZZ_CHECK(strcmp(output, M.paused ? "VM status: paused\n" : "VM status: running\n")
                       == 0, "info status says '%s'", output);
        if (n == 2 && strcmp(w[1], "network") == 0)
            FUZZ_CHECK(strstr(output, e1000dev_link(NIC) ? "link=up" : "link=down") != NULL,
                       "info network says '%s'", output);
        return;
    }
    if (strcmp(w[0], "stop") == 0)
        FUZZ_CHECK(M.paused, "still running after stop");
    if (strcmp(w[0], "cont") == 0 || strcmp(w[0], "c") == 0)
        FUZZ_CHECK(!M.paused, "still paused after cont");
    if (strcmp(w[0], "quit") == 0 || strcmp(w[0], "q") == 0)
        FUZZ_CHECK(M.stop && M.exit_status == 0, "quit did not end the run with status 0");
    if (strcmp(w[0], "set_link") == 0 && n == 3 && strcmp(w[1], "e1000") == 0 &&
        (strcmp(w[2], "on") == 0 || strcmp(w[2], "off") == 0))
        FUZZ_CHECK(e1000dev_link(NIC) == (strcmp(w[2], "on") == 0) && output_len == 0,
                   "'%s': link %d, said '%s'", line, e1000dev_link(NIC), output);
    if ((strcmp(w[0], "help") == 0 || strcmp(w[0], "?") == 0) && n == 1)
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            FUZZ_CHECK(strstr(output, known[i]) != NULL, "help does not name %s", known[i]);
}

static void op_command(struct input *in)
{
    const char *cmd = commands[in_u8(in) % NCOMMANDS];
    uint8_t deco = in_u8(in);
    char line[1200];
    size_t n = 0;
    if (deco & DECO_LEAD)
        line[n++] = ' ';
    for (const char *c = cmd; *c && n < 300; c++)
        line[n++] = *c == ' ' && (deco & DECO_TABS) ? '\t' : *c;
    if (deco & DECO_EXTRA) {
        line[n++] = ' ';
        n += in_bytes(in, line + n, in_u8(in) % 40);
    }
    if (deco & DECO_TRAIL)
        line[n++] = ' ';
    if (deco & DECO_CRLF) {
        line[n++] = '\r';
        line[n++] = '\n';
    }
    line[n] = 0;
    check_line(line);
}

static void op_raw(struct input *in)
{
    static char line[2100];
    size_t n = in_bytes(in, line, in_u16(in) % (sizeof line - 1));
    line[n] = 0;
    check_line(line);
}

static const uint32_t regs[] = {
    E1000_TDBAL, E1000_TDBAH, E1000_TDLEN, E1000_TDH, E1000_TDT, E1000_RDBAL, E1000_RDBAH,
    E1000_RDLEN, E1000_RDH, E1000_RDT, E1000_ICS, E1000_IMS, E1000_CTRL, E1000_RCTL,
};

static void op_reg(struct input *in)
{
    uint32_t off = regs[in_u8(in) % (sizeof regs / sizeof regs[0])], v = in_u32(in);
    if (off == E1000_TDT || off == E1000_RDT || off == E1000_TDLEN || off == E1000_RDLEN)
        NIC->regs[off / 4] = v & (off == E1000_TDT || off == E1000_RDT ? 0xffff : 0xfff80);
    else
        e1000dev_reg_write(NIC, off, v);
}

static void op_pci(struct input *in)
{
    uint8_t which = in_u8(in);
    uint32_t v = in_u32(in);
    struct pci_device *d = e1000dev_pci(NIC);
    static const unsigned addr[3] = { PCI_COMMAND, PCI_BASE_ADDRESS_0, PCI_BASE_ADDRESS_0 + 4 };
    pci_config_write(d, addr[which % 3], which % 3 ? v : v & 0xffff, which % 3 ? 4 : 2);
}

static void op_ram(struct input *in)
{
    uint32_t addr;
    uint8_t b[64];
    size_t n = mrig_ram_bytes(in, &addr, b);
    memcpy(mrig_ram + addr, b, n);
}

/* what each opcode does (ops.h) */
static void (*const do_op[])(struct input *) = {
    [MO_COMMAND] = op_command,
    [MO_RAW] = op_raw,
    [MO_REG] = op_reg,
    [MO_PCI] = op_pci,
    [MO_RAM] = op_ram,
};
_Static_assert(sizeof do_op / sizeof do_op[0] == MO_OPS, "a function for each opcode");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    mrig_init();
    for (unsigned ops = 0; !in_empty(&in) && ops < 128; ops++) {
        do_op[in_u8(&in) % MO_OPS](&in);
    }
    free(output);
    output = NULL;
    mrig_fini();
    return 0;
}
