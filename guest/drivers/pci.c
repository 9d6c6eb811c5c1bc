/*
 * Enumeration through configuration mechanism #1: every bus reachable
 * through PCI-to-PCI bridges, every device, every function where the
 * header says multifunction. BARs are sized by the sizing protocol
 * (decode off, all ones written, the mask read back, the value restored);
 * a BAR firmware left at zero is given an address from the windows the
 * contract names. Whatever firmware placed stays where it is (OVMF puts
 * 64-bit BARs above 4 GiB): drivers reach those through pci_map_bar.
 */
#include "heap.h"
#include "kernel.h"
#include "pci.h"
#include "usermode.h"
#include "x86.h"

/* CONFIG_ADDRESS as last written: it is a latch, so a run of accesses
 * to one register (BAR sizing) selects it once. Each write costs an exit
 * in a VM. Only this file writes it, never from an interrupt handler;
 * pci_init forgets it (a new machine, in the contract tests). */
static uint32_t cf8;

static void select_reg(const struct pci_dev *d, unsigned reg)
{
    uint32_t a = PCI_CONFIG_ADDR(d->bus, d->dev, d->fn, reg);
    if (a != cf8) {
        outl(PCI_CONFIG_ADDRESS, a);
        cf8 = a;
    }
}

uint32_t pci_read32(const struct pci_dev *d, unsigned reg)
{
    select_reg(d, reg);
    return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned reg)
{
    select_reg(d, reg);
    return inw(PCI_CONFIG_DATA + (reg & 2));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned reg)
{
    select_reg(d, reg);
    return inb(PCI_CONFIG_DATA + (reg & 3));
}

void pci_write32(const struct pci_dev *d, unsigned reg, uint32_t v)
{
    select_reg(d, reg);
    outl(PCI_CONFIG_DATA, v);
}

void pci_write16(const struct pci_dev *d, unsigned reg, uint16_t v)
{
    select_reg(d, reg);
    outw(PCI_CONFIG_DATA + (reg & 2), v);
}

void pci_write8(const struct pci_dev *d, unsigned reg, uint8_t v)
{
    select_reg(d, reg);
    outb(PCI_CONFIG_DATA + (reg & 3), v);
}

static bool bar_is_mem64(uint32_t v)
{
    return !(v & PCI_BASE_ADDRESS_SPACE_IO) &&
           (v & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;
}

/* A BAR from its value and the mask read back after all ones were
 * written (and those of the upper half of a 64-bit one). */
static struct pci_bar decode_bar(uint32_t orig, uint32_t mask, uint32_t orig_hi,
                                 uint32_t mask_hi)
{
    struct pci_bar bar = { 0 };
    if (!mask || mask == 0xffffffff)
        return bar;     /* not implemented (or nothing there at all) */
    if (orig & PCI_BASE_ADDRESS_SPACE_IO) {
        bar.io = true;
        bar.addr = orig & PCI_BASE_ADDRESS_IO_MASK;
        bar.size = (uint16_t)(~(mask & PCI_BASE_ADDRESS_IO_MASK) + 1);
    } else {
        bar.mem64 = bar_is_mem64(orig);
        bar.prefetch = orig & PCI_BASE_ADDRESS_MEM_PREFETCH;
        uint64_t m = (uint64_t)mask_hi << 32 | (mask & PCI_BASE_ADDRESS_MEM_MASK);
        bar.addr = (uint64_t)orig_hi << 32 | (orig & PCI_BASE_ADDRESS_MEM_MASK);
        bar.size = ~m + 1;
        if (!bar.mem64)
            bar.size &= 0xffffffffull;
    }
    return bar;
}

/* Where the next BAR left at zero goes. */
static uint64_t next_mmio = PCI_MMIO_WINDOW_BASE, next_io = PCI_IO_WINDOW_BASE;

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static void assign(struct pci_dev *d, int idx, struct pci_bar *bar)
{
    uint64_t *next = bar->io ? &next_io : &next_mmio;
    uint64_t end = bar->io ? PCI_IO_WINDOW_END : PCI_MMIO_WINDOW_END;
    uint64_t a = align_up(*next, bar->size);
    if (a + bar->size > end) {
        printf("# pci %02x:%02x.%x: no room for BAR%d (%llu bytes)\n", d->bus, d->dev,
               d->fn, idx, (unsigned long long)bar->size);
        return;
    }
    *next = a + bar->size;
    bar->addr = a;
    unsigned reg = PCI_BASE_ADDRESS_0 + 4 * (unsigned)idx;
    pci_write32(d, reg, (uint32_t)a | (pci_read32(d, reg) & 0xf));
    if (bar->mem64)
        pci_write32(d, reg + 4, (uint32_t)(a >> 32));
}

/* ---- enumeration in batches ----
 *
 * The scan's logic runs wherever the caller does (CPL 3 by default); its
 * configuration accesses are gathered into batches that one tight loop
 * performs at CPL 0, one kcall a batch: this host's KVM emulates each
 * instruction at CPL 0, and a port access costs four times as much at
 * CPL 3. Every access is a whole dword.
 */
#define BATCH_MAX 32

enum cfg_kind { CFG_READ, CFG_WRITE, CFG_RESTORE };

struct cfg_op {
    uint32_t addr;              /* CONFIG_ADDRESS: enable, bus, dev, fn, dword */
    uint32_t v;                 /* written, or read back */
    uint8_t kind;               /* CFG_RESTORE writes what op[src] read */
    uint8_t src;
};

struct batch {
    unsigned n;
    struct cfg_op op[BATCH_MAX];
};

static uint64_t batch_run_k(uint64_t arg)
{
    struct batch *b = (struct batch *)arg;
    for (unsigned i = 0; i < b->n; i++) {
        struct cfg_op *op = &b->op[i];
        if (op->addr != cf8) {
            outl(PCI_CONFIG_ADDRESS, op->addr);
            cf8 = op->addr;
        }
        if (op->kind == CFG_READ)
            op->v = inl(PCI_CONFIG_DATA);
        else
            outl(PCI_CONFIG_DATA, op->kind == CFG_WRITE ? op->v : b->op[op->src].v);
    }
    return 0;
}

/* Performs the batch; each read's value is in its op afterwards. */
static void batch_run(struct batch *b)
{
    kcall(batch_run_k, (uint64_t)b);
}

/* Adds an access; returns its index (a read's value: b->op[i].v). */
static unsigned batch_add(struct batch *b, const struct pci_dev *d, unsigned reg,
                          enum cfg_kind kind, uint32_t v)
{
    if (b->n == BATCH_MAX)
        panic("pci: a batch of more than %d configuration accesses", BATCH_MAX);
    unsigned i = b->n++;
    b->op[i] = (struct cfg_op){ PCI_CONFIG_ADDR(d->bus, d->dev, d->fn, reg & ~3u), v,
                                (uint8_t)kind, (uint8_t)v };
    return i;
}

/* Sizes count BARs from first into out[], in one batch: for each, the
 * value, all ones, the mask read back, the value written again; then the
 * command register as it was (cmd). Decoding is off meanwhile, and so
 * are interrupts: a bound driver's handler would read its registers
 * through the BAR that is switched off, see all ones, and never
 * acknowledge the cause (a level-triggered storm). */
static void size_bars(const struct pci_dev *d, uint16_t cmd, int first, int count,
                      struct pci_bar *out)
{
    struct batch b = { 0 };
    unsigned orig[PCI_NUM_BARS], mask[PCI_NUM_BARS];
    batch_add(&b, d, PCI_COMMAND, CFG_WRITE, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
    for (int i = 0; i < count; i++) {
        unsigned reg = PCI_BASE_ADDRESS_0 + 4 * (unsigned)(first + i);
        orig[i] = batch_add(&b, d, reg, CFG_READ, 0);
        batch_add(&b, d, reg, CFG_WRITE, 0xffffffff);
        mask[i] = batch_add(&b, d, reg, CFG_READ, 0);
        batch_add(&b, d, reg, CFG_RESTORE, orig[i]);
    }
    batch_add(&b, d, PCI_COMMAND, CFG_WRITE, cmd);
    int on = irqs_enabled();
    cli();
    batch_run(&b);
    if (on)
        sti();
    for (int i = 0; i < count; i++) {
        uint32_t v = b.op[orig[i]].v;
        bool hi = bar_is_mem64(v) && i < count - 1;
        out[i] = decode_bar(v, b.op[mask[i]].v, hi ? b.op[orig[i + 1]].v : 0,
                            hi ? b.op[mask[i + 1]].v : 0xffffffff);
        if (out[i].mem64)
            i++;        /* the upper half is not a BAR of its own */
    }
}

/* One BAR, and the next slot with it in case this one is 64-bit. */
struct pci_bar pci_size_bar(const struct pci_dev *d, int idx)
{
    struct pci_bar bar[2] = { 0 };
    if (idx < 0 || idx >= PCI_NUM_BARS)
        return bar[0];
    size_bars(d, pci_read16(d, PCI_COMMAND), idx, idx < PCI_NUM_BARS - 1 ? 2 : 1, bar);
    return bar[0];
}

/* All BARs of a function sized, then those firmware left at zero placed. */
static void read_bars(struct pci_dev *d, uint16_t cmd, int nbars)
{
    size_bars(d, cmd, 0, nbars, d->bars);
    for (int i = 0; i < nbars; i++)
        if (d->bars[i].size && !d->bars[i].addr)
            assign(d, i, &d->bars[i]);
}

static int scan_bus(uint8_t bus, int depth);

static uint8_t next_bus = 1;

/* The dwords of a header the scan needs, read in one batch. */
enum { HDR_CMD, HDR_CLASS, HDR_TYPE, HDR_BUS, HDR_SUBSYS, HDR_IRQ, HDR_DWORDS };
static const uint8_t hdr_reg[HDR_DWORDS] = {
    PCI_COMMAND, PCI_REVISION_ID, PCI_CACHE_LINE_SIZE, PCI_PRIMARY_BUS,
    PCI_SUBSYSTEM_VENDOR_ID, PCI_INTERRUPT_LINE,
};

/* A function whose vendor/device dword is id; *header_type as read. */
static int scan_function(uint8_t bus, uint8_t dev, uint8_t fn, uint32_t id, int depth,
                         uint8_t *header_type)
{
    *header_type = 0;
    struct pci_dev *d = kzalloc(sizeof *d);
    if (!d)
        return 0;
    *d = (struct pci_dev){ .bus = bus, .dev = dev, .fn = fn };
    struct batch b = { 0 };
    for (int i = 0; i < HDR_DWORDS; i++)
        batch_add(&b, d, hdr_reg[i], CFG_READ, 0);
    batch_run(&b);
    uint32_t hdr[HDR_DWORDS];
    for (int i = 0; i < HDR_DWORDS; i++)
        hdr[i] = b.op[i].v;
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    d->revision = (uint8_t)hdr[HDR_CLASS];
    d->prog_if = (uint8_t)(hdr[HDR_CLASS] >> 8);
    d->class_code = (uint16_t)(hdr[HDR_CLASS] >> 16);
    d->header_type = *header_type = (uint8_t)(hdr[HDR_TYPE] >> 16);
    d->irq_line = (uint8_t)hdr[HDR_IRQ];
    d->irq_pin = (uint8_t)(hdr[HDR_IRQ] >> 8);
    uint16_t cmd = (uint16_t)hdr[HDR_CMD];
    int found = 1;
    if ((d->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_NORMAL) {
        d->subvendor = (uint16_t)hdr[HDR_SUBSYS];
        d->subdevice = (uint16_t)(hdr[HDR_SUBSYS] >> 16);
        read_bars(d, cmd, PCI_NUM_BARS);
        pci_add_device(d);
    } else if ((d->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE) {
        read_bars(d, cmd, 2);
        pci_add_device(d);
        uint8_t secondary = (uint8_t)(hdr[HDR_BUS] >> 8);
        if (!secondary && next_bus) {
            /* firmware did not number it: give it the next bus */
            secondary = next_bus++;
            pci_write8(d, PCI_PRIMARY_BUS, bus);
            pci_write8(d, PCI_SECONDARY_BUS, secondary);
            pci_write8(d, PCI_SUBORDINATE_BUS, 0xff);
        }
        if (secondary > bus && depth < 8)
            found += scan_bus(secondary, depth + 1);
    } else {
        pci_add_device(d);     /* CardBus and the like: listed, not sized */
    }
    return found;
}

static bool present(uint32_t id)
{
    return (id & 0xffff) != 0xffff && (id & 0xffff) != 0;
}

/* Function 0 of every device in one batch, then the other functions of
 * those whose header type says multifunction in another. */
static int scan_bus(uint8_t bus, int depth)
{
    struct batch ids = { 0 };
    for (uint8_t dev = 0; dev < PCI_MAX_DEV; dev++)
        batch_add(&ids, &(struct pci_dev){ .bus = bus, .dev = dev }, PCI_VENDOR_ID, CFG_READ, 0);
    _Static_assert(PCI_MAX_DEV <= BATCH_MAX, "a bus's function 0s in one batch");
    batch_run(&ids);
    int found = 0;
    for (uint8_t dev = 0; dev < PCI_MAX_DEV; dev++) {
        uint32_t id = ids.op[dev].v;
        if (!present(id))
            continue;
        uint8_t type;
        found += scan_function(bus, dev, 0, id, depth, &type);
        if (!(type & PCI_HEADER_MULTIFUNCTION))
            continue;
        struct batch fns = { 0 };
        for (uint8_t fn = 1; fn < PCI_MAX_FN; fn++)
            batch_add(&fns, &(struct pci_dev){ .bus = bus, .dev = dev, .fn = fn },
                      PCI_VENDOR_ID, CFG_READ, 0);
        batch_run(&fns);
        for (uint8_t fn = 1; fn < PCI_MAX_FN; fn++)
            if (present(fns.op[fn - 1].v))
                found += scan_function(bus, dev, fn, fns.op[fn - 1].v, depth, &type);
    }
    return found;
}

int pci_init(void)
{
    cf8 = 0;
    return scan_bus(0, 0);
}

uint16_t pci_enable_decoding(struct pci_dev *d)
{
    uint16_t found = pci_read16(d, PCI_COMMAND), cmd = found & ~PCI_COMMAND_MASTER;
    for (int i = 0; i < PCI_NUM_BARS; i++)
        if (d->bars[i].size)
            cmd |= d->bars[i].io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
    if (cmd != found)
        pci_write16(d, PCI_COMMAND, cmd);
    return found;
}

void pci_set_master(struct pci_dev *d)
{
    pci_write16(d, PCI_COMMAND, pci_read16(d, PCI_COMMAND) | PCI_COMMAND_MASTER);
}

void pci_enable_device(struct pci_dev *d)
{
    pci_enable_decoding(d);
    pci_set_master(d);
}

/* the kernel's page tables map the first 4 GiB one to one (boot.asm);
 * weak: the contract tests' host build of this file has no page tables */
#define IDENTITY_MAPPED (4ull << 30)
extern int paging_map_mmio(uint64_t base, uint64_t size) __attribute__((weak));

struct map_req { uint64_t base, size; };

static uint64_t map_k(uint64_t arg)
{
    const struct map_req *r = (const struct map_req *)arg;
    return (uint64_t)paging_map_mmio(r->base, r->size);
}

volatile void *pci_map_bar(struct pci_dev *d, int idx)
{
    if (idx < 0 || idx >= PCI_NUM_BARS)
        return NULL;
    const struct pci_bar *b = &d->bars[idx];
    if (!b->size || b->io || !b->addr)
        return NULL;
    if (b->addr + b->size > IDENTITY_MAPPED && paging_map_mmio) {
        struct map_req r = { b->addr, b->size };
        if (kcall(map_k, (uint64_t)&r) != 0)
            return NULL;
    }
    return (volatile void *)(uintptr_t)b->addr;
}

/* One write a function (its line and its BARs'): each write of the
 * console costs a trip to CPL 0. */
void pci_print_table(void)
{
    for (struct pci_dev *d = pci_devices(); d; d = d->next) {
        char text[512];
        size_t n = (size_t)snprintf(text, sizeof text,
                                    "# pci %02x:%02x.%x %04x:%04x class %04x %s, irq %u pin %c, "
                                    "driver %s\n", d->bus, d->dev, d->fn, d->vendor, d->device,
                                    d->class_code, pci_class_name(d->class_code) ?: "Unknown class",
                                    d->irq_line,
                                    d->irq_pin ? 'A' + d->irq_pin - 1 : '-',
                                    d->driver ? d->driver->name : "none");
        for (int i = 0; i < PCI_NUM_BARS && n < sizeof text; i++)
            if (d->bars[i].size)
                n += (size_t)snprintf(text + n, sizeof text - n,
                                      "#   BAR%d %s at 0x%llx, %llu bytes\n", i,
                                      d->bars[i].io ? "I/O" : d->bars[i].mem64 ? "mem64" : "mem32",
                                      (unsigned long long)d->bars[i].addr,
                                      (unsigned long long)d->bars[i].size);
        printf("%s", text);
    }
}
