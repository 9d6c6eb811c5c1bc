/*
 * PCI configuration space through mechanism #1 (0xcf8/0xcfc) at every
 * width and offset, firmware writes, BAR sizing and moves, INTx and bus
 * mastering, on the machine's bus (i440FX, PIIX3, e1000). Checked after
 * every operation, from the PCI Local Bus Specification 3.0 and the
 * machine's contract (include/contract/pci.h):
 *  - IDs, revision, class, header type, subsystem and interrupt pin of
 *    every function never change; a write reaches only the function
 *    selected;
 *  - CONFIG_ADDRESS latches only dword writes, low two bits clear;
 *    CONFIG_DATA reads what a byte-by-byte read gives, all ones for an
 *    absent function, a bus other than 0 or the enable bit clear;
 *  - BAR type bits are fixed, the sizing protocol gives each BAR's size,
 *    unimplemented BARs read 0, status INTERRUPT is read-only;
 *  - the e1000's BARs answer where they point exactly when decoding is
 *    on and the address is usable (nonzero, not the sizing pattern, I/O
 *    inside 64 KiB), and nowhere else;
 *  - the interrupt line follows the function's level unless
 *    INTX_DISABLE, and DMA works exactly when bus mastering is on.
 */
#include <string.h>
#include "bus_rig.h"
#include "check.h"
#include "contract/pci.h"
#include "input.h"
#include "ops.h"

static struct bus_rig R;
static struct pci_device *funcs[3];
static uint8_t fixed[3][PCI_CONFIG_SIZE];
static uint64_t last_bar0 = 0, last_bar1 = 0;   /* where the BARs were last seen mapped */

static const unsigned widths[3] = { 1, 2, 4 };

/* Bytes nothing may change: IDs, revision and class, header type,
 * subsystem, interrupt pin. */
static bool fixed_byte(unsigned a)
{
    return a < 4 || (a >= 8 && a < 12) || a == PCI_HEADER_TYPE ||
           (a >= PCI_SUBSYSTEM_VENDOR_ID && a < PCI_SUBSYSTEM_VENDOR_ID + 4) ||
           a == PCI_INTERRUPT_PIN;
}

static struct pci_device *e1000_fn(void) { return funcs[2]; }

/* Is mechanism #1 reachable, or does the e1000's I/O BAR sit on it? */
static bool mechanism_visible(void)
{
    const struct pci_bar_state *b = &e1000_fn()->bars[1];
    return !(b->mapped && b->addr < PCI_CONFIG_DATA + 4 && b->addr + b->size > PCI_CONFIG_ADDRESS);
}

static uint32_t io_read(uint16_t port, unsigned size)
{
    return (uint32_t)as_read(&R.io_as, port, size);
}

static void op_addr(struct input *in)
{
    uint8_t width = in_u8(in), sel = in_u8(in), dev = in_u8(in), r = in_u8(in);
    unsigned size = widths[width % 3], off = (width >> 2) & 3;
    static const uint8_t devs[4] = { PCI_SLOT_HOST, PCI_SLOT_ISA, PCI_SLOT_E1000, 2 };
    uint32_t v = (sel & 1 ? PCI_CONFIG_ENABLE : 0) | (uint32_t)(sel & 2 ? dev : 0) << 16 |
                 (uint32_t)(dev & 4 ? dev >> 3 : devs[dev & 3]) << 11 |
                 (uint32_t)(sel & 4 ? sel >> 5 : 0) << 8 | r;
    if (sel & 8)
        v = in_u32(in);
    if (off + size > 4)
        off = 0;
    bool visible = mechanism_visible();
    uint32_t before = R.board.pci.config_address;
    as_write(&R.io_as, PCI_CONFIG_ADDRESS + off, v >> (8 * off), size);
    if (!visible)
        return;
    if (size == 4 && off == 0)
        FUZZ_CHECK(R.board.pci.config_address == (v & 0x80fffffcu),
                   "CONFIG_ADDRESS 0x%x after writing 0x%x", R.board.pci.config_address, v);
    else
        FUZZ_CHECK(R.board.pci.config_address == before,
                   "a %u-byte write at 0xcf%x changed CONFIG_ADDRESS to 0x%x", size, 8 + off,
                   R.board.pci.config_address);
    FUZZ_CHECK(io_read(PCI_CONFIG_ADDRESS, 4) == R.board.pci.config_address,
               "CONFIG_ADDRESS reads 0x%x, latched 0x%x", io_read(PCI_CONFIG_ADDRESS, 4),
               R.board.pci.config_address);
}

/* The function CONFIG_ADDRESS selects, as the specification decodes
 * it; NULL for none. */
static struct pci_device *selected(unsigned *reg)
{
    uint32_t a = R.board.pci.config_address;
    *reg = a & 0xfc;
    if (!(a & PCI_CONFIG_ENABLE) || (a >> 16 & 0xff) != 0)
        return NULL;
    unsigned devfn = a >> 8 & 0xff;
    for (int i = 0; i < 3; i++)
        if (funcs[i]->devfn == devfn)
            return funcs[i];
    return NULL;
}

static void op_read(struct input *in)
{
    uint8_t width = in_u8(in);
    unsigned size = widths[width % 3], off = (width >> 2) & 3;
    if (off + size > 4)
        off = 4 - size;
    uint32_t v = io_read((uint16_t)(PCI_CONFIG_DATA + off), size);
    if (!mechanism_visible())
        return;
    unsigned reg;
    struct pci_device *d = selected(&reg);
    uint32_t want = 0;
    for (unsigned i = 0; i < size; i++) {
        uint32_t b = io_read((uint16_t)(PCI_CONFIG_DATA + off + i), 1);
        want |= b << (8 * i);
        FUZZ_CHECK(d || b == 0xff, "byte %u of an absent function reads 0x%02x", reg + off + i, b);
    }
    FUZZ_CHECK(v == want, "a %u-byte read at 0xcf%x gives 0x%x, its bytes 0x%x", size,
               0xc + off, v, want);
}

static void op_write(struct input *in)
{
    uint8_t width = in_u8(in);
    uint32_t v = in_u32(in);
    unsigned size = widths[width % 3], off = (width >> 2) & 3;
    if (off + size > 4)
        off = 4 - size;
    as_write(&R.io_as, PCI_CONFIG_DATA + off, v, size);
}

static void op_direct(struct input *in)
{
    struct pci_device *d = funcs[in_u8(in) % 3];
    unsigned reg = in_u8(in);
    unsigned size = widths[in_u8(in) % 3];
    uint32_t v = in_u32(in);
    reg &= ~(size - 1);
    pci_config_write(d, reg, v, size);
}

/* PCI 3.0 6.2.5.1: write all ones, read back, the size is the lowest
 * address bit that stuck; the original value goes back. */
static void op_size(struct input *in)
{
    unsigned bar = in_u8(in) % PCI_NUM_BARS;
    struct pci_device *d = funcs[2];
    if (!mechanism_visible())
        return;
    uint32_t addr = PCI_CONFIG_ADDR(0, PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                                    PCI_BASE_ADDRESS_0 + 4 * bar);
    as_write(&R.io_as, PCI_CONFIG_ADDRESS, addr, 4);
    uint32_t orig = io_read(PCI_CONFIG_DATA, 4);
    as_write(&R.io_as, PCI_CONFIG_DATA, 0xffffffffu, 4);
    uint32_t mask = io_read(PCI_CONFIG_DATA, 4);
    as_write(&R.io_as, PCI_CONFIG_DATA, orig, 4);
    uint32_t back = io_read(PCI_CONFIG_DATA, 4);
    FUZZ_CHECK(back == orig, "BAR%u reads 0x%x after restoring 0x%x", bar, back, orig);
    const struct pci_bar_state *b = &d->bars[bar];
    if (!b->size) {
        FUZZ_CHECK(mask == 0, "unimplemented BAR%u sizes as 0x%x", bar, mask);
        return;
    }
    bool io = mask & PCI_BASE_ADDRESS_SPACE_IO;
    uint32_t bits = mask & (io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK);
    FUZZ_CHECK(bits && (uint64_t)(~bits + 1) == b->size, "BAR%u sizes as 0x%x for %llu bytes",
               bar, mask, (unsigned long long)b->size);
}

static void op_irq(struct input *in)
{
    struct e1000 *e = R.nic;
    switch (in_u8(in) % 3) {
    case 0:
        e1000dev_reg_write(e, E1000_IMS, E1000_ICR_TXDW);
        e1000dev_reg_write(e, E1000_ICS, E1000_ICR_TXDW);
        break;
    case 1:
        e1000dev_reg_read(e, E1000_ICR);
        break;
    default:
        e1000dev_reg_write(e, E1000_IMC, 0xffffffffu);
        break;
    }
}

static void op_dma(struct input *in)
{
    uint32_t addr = in_u32(in) % (RIG_RAM_SIZE + 64);
    bool write = in_bool(in);
    uint8_t buf[16] = { 0 };
    struct pci_device *d = e1000_fn();
    bool ok = write ? pci_dma_write(d, addr, buf, sizeof buf) : pci_dma_read(d, addr, buf, sizeof buf);
    bool master = pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
    FUZZ_CHECK(ok == (master && addr + sizeof buf <= RIG_RAM_SIZE),
               "DMA %s at 0x%x %s with bus mastering %s", write ? "write" : "read", addr,
               ok ? "worked" : "failed", master ? "on" : "off");
}

static void op_bar(struct input *in)
{
    uint8_t how = in_u8(in);
    uint32_t off = in_u16(in), v = in_u32(in);
    struct pci_device *d = e1000_fn();
    if (how & 1) {
        uint64_t base = d->bars[0].mapped ? d->bars[0].addr : E1000_BAR0_ADDR;
        off = (off * 4) % E1000_BAR0_SIZE;
        if (how & 2)
            as_write(&R.mem_as, base + off, v, 4);
        else
            as_read(&R.mem_as, base + off, 4);
    } else {
        uint64_t base = d->bars[1].mapped ? d->bars[1].addr : E1000_BAR1_ADDR;
        off %= E1000_BAR1_SIZE;
        if (how & 2)
            as_write(&R.io_as, base + (off & ~3u), v, 4);
        else
            as_read(&R.io_as, base + (off & ~3u), 4);
    }
}

/* ---- after every operation ---- */

static bool is_region(struct address_space *as, uint64_t addr, const char *name)
{
    uint64_t off;
    struct region *r = address_space_lookup(as, addr, &off);
    return r && strcmp(r->name, name) == 0;
}

/* Where BAR idx must answer, by the specification and the contract. */
static bool should_map(const struct pci_device *d, int idx, uint64_t *addr)
{
    uint32_t v = pci_get_long(d->config + PCI_BASE_ADDRESS_0 + 4 * idx);
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint64_t size = d->bars[idx].size;
    bool io = idx == 1;
    uint32_t mask = io ? PCI_BASE_ADDRESS_IO_MASK : PCI_BASE_ADDRESS_MEM_MASK;
    *addr = v & mask;
    uint32_t sizing = (uint32_t)~(size - 1) & mask;
    return (cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) && *addr && *addr != sizing &&
           (!io || *addr + size <= 0x10000);
}

static void check_bar_decoding(void)
{
    const struct pci_device *d = e1000_fn();
    uint64_t a0, a1;
    bool m0 = should_map(d, 0, &a0), m1 = should_map(d, 1, &a1);
    if (a0 >= RIG_RAM_SIZE)
        FUZZ_CHECK(is_region(&R.mem_as, a0 + 8, "e1000-mmio") == m0,
                   "BAR0 at 0x%llx %s decoded", (unsigned long long)a0, m0 ? "not" : "wrongly");
    if (!m0 || a0 != last_bar0) {
        if (last_bar0 >= RIG_RAM_SIZE && (!m0 || last_bar0 + 8 < a0 ||
                                          last_bar0 + 8 >= a0 + E1000_BAR0_SIZE))
            FUZZ_CHECK(!is_region(&R.mem_as, last_bar0 + 8, "e1000-mmio"),
                       "BAR0 still answers at its old address 0x%llx",
                       (unsigned long long)last_bar0);
        last_bar0 = m0 ? a0 : 0;
    }
    FUZZ_CHECK(is_region(&R.io_as, a1, "e1000-io") == m1, "BAR1 at 0x%llx %s decoded",
               (unsigned long long)a1, m1 ? "not" : "wrongly");
    if (!m1 || a1 != last_bar1) {
        if (last_bar1 && (!m1 || last_bar1 + 64 <= a1 || last_bar1 >= a1 + 64))
            FUZZ_CHECK(!is_region(&R.io_as, last_bar1, "e1000-io"),
                       "BAR1 still answers at its old address 0x%llx",
                       (unsigned long long)last_bar1);
        last_bar1 = m1 ? a1 : 0;
    }
}

static void check_invariants(void)
{
    for (int i = 0; i < 3; i++) {
        const struct pci_device *d = funcs[i];
        for (unsigned a = 0; a < PCI_CONFIG_SIZE; a++)
            if (fixed_byte(a))
                FUZZ_CHECK(d->config[a] == fixed[i][a], "%s: config byte 0x%02x became 0x%02x",
                           d->name, a, d->config[a]);
        uint16_t st = pci_get_word(d->config + PCI_STATUS);
        FUZZ_CHECK(!!(st & PCI_STATUS_INTERRUPT) == !!d->irq_level,
                   "%s: status 0x%04x with INTx level %d", d->name, st, d->irq_level);
        for (int b = 0; b < PCI_NUM_BARS; b++) {
            uint32_t v = pci_get_long(d->config + PCI_BASE_ADDRESS_0 + 4 * b);
            const struct pci_bar_state *bar = &d->bars[b];
            if (!bar->size) {
                FUZZ_CHECK(v == 0, "%s: unimplemented BAR%d holds 0x%x", d->name, b, v);
                continue;
            }
            uint32_t low = bar->type & PCI_BASE_ADDRESS_SPACE_IO ? 3 : 15;
            FUZZ_CHECK((v & low) == bar->type, "%s: BAR%d type bits 0x%x", d->name, b, v & low);
            FUZZ_CHECK(!(v & (bar->size - 1) & ~low), "%s: BAR%d 0x%x has bits below its size",
                       d->name, b, v);
        }
    }
    const struct pci_device *e = e1000_fn();
    uint16_t cmd = pci_get_word(e->config + PCI_COMMAND);
    FUZZ_CHECK(R.irq_line == (e->irq_level && !(cmd & PCI_COMMAND_INTX_DISABLE)),
               "INTA line %d for level %d, command 0x%04x", R.irq_line, e->irq_level, cmd);
    check_bar_decoding();
}

/* what each opcode does (ops.h) */
static void (*const do_op[])(struct input *) = {
    [P_ADDR] = op_addr,
    [P_READ] = op_read,
    [P_WRITE] = op_write,
    [P_DIRECT] = op_direct,
    [P_SIZE] = op_size,
    [P_IRQ] = op_irq,
    [P_DMA] = op_dma,
    [P_BAR] = op_bar,
};
_Static_assert(sizeof do_op / sizeof do_op[0] == P_OPS, "a function for each opcode");

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    bus_rig_init(&R, in_bool(&in));
    funcs[0] = &R.board.pci.dev;
    funcs[1] = board_pci(&R.board, "piix3");
    funcs[2] = e1000dev_pci(R.nic);
    for (int i = 0; i < 3; i++)
        memcpy(fixed[i], funcs[i]->config, PCI_CONFIG_SIZE);
    last_bar0 = last_bar1 = 0;
    check_bar_decoding();
    for (unsigned ops = 0; !in_empty(&in) && ops < 1024; ops++) {
        uint8_t snapshot[3][PCI_CONFIG_SIZE];
        for (int i = 0; i < 3; i++)
            memcpy(snapshot[i], funcs[i]->config, PCI_CONFIG_SIZE);
        unsigned reg;
        struct pci_device *target = selected(&reg);
        unsigned op = in_u8(&in) % P_OPS;
        do_op[op](&in);
        /* a write through the data port reaches the selected function only */
        if (op == P_WRITE && mechanism_visible())
            for (int i = 0; i < 3; i++)
                if (funcs[i] != target)
                    for (unsigned a = 0; a < PCI_CONFIG_SIZE; a++)
                        FUZZ_CHECK(funcs[i]->config[a] == snapshot[i][a],
                                   "%s: byte 0x%02x changed by a write for another function",
                                   funcs[i]->name, a);
        check_invariants();
    }
    bus_rig_fini(&R);
    return 0;
}
