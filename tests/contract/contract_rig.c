/* The host half of the contract rig (see contract_rig.h), and the few
 * kernel services the guest's driver code calls: printf, panic, delays,
 * time and interrupt registration. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "board.h"
#include "contract/e1000.h"
#include "contract/pci.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/memory.h"
#include "debug/diag.h"
#include "hw/e1000.h"
#include "hw/e1000_internal.h"
#include "net/net.h"
#include "contract_rig.h"
#include "../shim/mmio.h"
#include "../shim/x86.h"

#define ARENA_SIZE (4u << 20)

_Static_assert(RIG_IRQ == PCI_E1000_IRQ, "the rig's line is the board's");
#define MAX_SENT 1024
#define STORM 1000

/* the guest's heap (guest/kernel/heap.c) */
void heap_init(uint64_t start, uint64_t end);

typedef void (*irq_handler)(int irq);

static struct {
    uint8_t *arena;
    struct region sysmem, ram, io;
    struct address_space mem_as, io_as;
    struct board board;
    struct loop loop;
    uint64_t now;
    struct e1000 *nic;
    struct diag *diag;
    /* the driver's instruction making the access being performed: the
     * host address it returns to, less one (inside the call) */
    uint64_t pc;
    bool pc_known;
    struct net_client wire;
    uint8_t *sent[MAX_SENT];
    size_t sent_len[MAX_SENT], nsent;
    /* the CPU and PIC, as far as the driver sees them */
    int level, iflag, in_handler;
    irq_handler handlers[16];
    uint16_t masked;
    unsigned delivered, in_a_row;
    bool storm;
    char printed[16384], warnings[4096];
    uint8_t armed_frame[2048];
    size_t armed_len;
} rig;

static uint64_t rig_clock(void *opaque) { return rig.now; }

static bool rig_access_pc(void *opaque, uint64_t *pc)
{
    *pc = rig.pc;
    return rig.pc_known;
}

/* The driver code is this process's own: its warnings name its lines
 * as pcemu names the guest's (debug/symbolize.c, this executable). */
#define ACCESS_FROM_CALLER() \
    (rig.pc = (uint64_t)(uintptr_t)__builtin_return_address(0) - 1, rig.pc_known = true)

static void append(char *buf, size_t size, const char *s)
{
    size_t used = strlen(buf), n = strlen(s);
    if (used + n >= size) {           /* keep the newest text */
        size_t drop = used + n - size + 1 < used ? used + n - size + 1 : used;
        memmove(buf, buf + drop, used - drop + 1);
        used -= drop;
    }
    memcpy(buf + used, s, n < size - used ? n + 1 : size - used);
    buf[size - 1] = 0;
}

static void warn_sink(void *opaque, const char *line)
{
    append(rig.warnings, sizeof rig.warnings, line);
    append(rig.warnings, sizeof rig.warnings, "\n");
    if (getenv("CONTRACT_VERBOSE"))
        fprintf(stderr, "%s\n", line);
}

static void irq_set_level(void *opaque, int n, int level)
{
    rig.level = level;
}

/* An interrupt is taken between accesses, as a CPU takes it between
 * instructions: line high, unmasked at the PIC, IF set, not nested. */
static void deliver(void)
{
    while (rig.level && rig.iflag && !rig.in_handler && rig.handlers[RIG_IRQ] &&
           !(rig.masked & 1u << RIG_IRQ)) {
        if (++rig.in_a_row > STORM) {
            rig.storm = true;
            return;
        }
        rig.in_handler = 1;
        rig.iflag = 0;
        rig.handlers[RIG_IRQ](RIG_IRQ);
        rig.iflag = 1;
        rig.in_handler = 0;
        rig.delivered++;
    }
    if (!rig.level)
        rig.in_a_row = 0;
}

static bool wire_receive(struct net_client *nc, const uint8_t *buf, size_t len)
{
    if (rig.nsent < MAX_SENT) {
        rig.sent[rig.nsent] = malloc(len);
        memcpy(rig.sent[rig.nsent], buf, len);
        rig.sent_len[rig.nsent++] = len;
    }
    return true;
}

void rig_init(const uint8_t mac[6], bool firmware_bars)
{
    memset(&rig, 0, sizeof rig);
    log_capture(warn_sink, NULL);
    rig.arena = aligned_alloc(4096, ARENA_SIZE);
    memset(rig.arena, 0, ARENA_SIZE);
    board_spaces_init(&rig.sysmem, &rig.io, &rig.mem_as, &rig.io_as);
    region_init_ram(&rig.ram, "guest-ram", ARENA_SIZE, rig.arena);
    region_add(&rig.sysmem, &rig.ram, (uint64_t)(uintptr_t)rig.arena, 0);
    struct board_config cfg = { .unassigned_bars = !firmware_bars };
    memcpy(cfg.mac, mac, sizeof cfg.mac);
    board_init(&rig.board, &cfg, &rig.sysmem, &rig.io, &rig.mem_as, &rig.io_as);

    loop_init(&rig.loop);
    rig.now = 1000000000;
    rig.loop.now = rig_clock;
    rig.diag = diag_create(NULL, rig_access_pc, NULL);
    /* the e1000 as pcemu's board has it, its INTA on the rig's line */
    rig.board.loop = &rig.loop;
    rig.board.diag = rig.diag;
    rig.board.irq[RIG_IRQ] = (struct irq_line){ irq_set_level, NULL, RIG_IRQ };
    rig.nic = board_add(&rig.board, board_pc_device("e1000"));
    static const struct net_client_ops wire_ops = { "test", NULL, wire_receive };
    net_client_init(&rig.wire, "wire", &wire_ops, NULL);
    net_connect(&rig.wire, e1000dev_net_client(rig.nic));

    heap_init((uint64_t)(uintptr_t)rig.arena, (uint64_t)(uintptr_t)rig.arena + ARENA_SIZE);
    rig.masked = 0xffff;
    rig.iflag = 1;
}

void rig_fini(void)
{
    net_client_cleanup(&rig.wire);
    board_destroy(&rig.board);
    diag_destroy(rig.diag);
    for (size_t i = 0; i < rig.nsent; i++)
        free(rig.sent[i]);
    free(rig.arena);
    log_capture(NULL, NULL);
}

uint32_t rig_reg(uint32_t reg) { return rig.nic->regs[reg >> 2]; }
void rig_set_link(bool up) { e1000dev_set_link(rig.nic, up); deliver(); }
void rig_eeprom_xor(unsigned word, uint16_t bits) { rig.nic->eeprom[word] ^= bits; }

bool rig_inject(const void *frame, size_t len)
{
    bool ok = net_send(&rig.wire, frame, len);
    deliver();
    return ok;
}

size_t rig_sent_count(void) { return rig.nsent; }

const uint8_t *rig_sent(size_t i, size_t *len)
{
    if (i >= rig.nsent)
        return NULL;
    *len = rig.sent_len[i];
    return rig.sent[i];
}

unsigned rig_frames_waiting(void)
{
    size_t bytes;
    return rig.wire.queued + e1000dev_rx_waiting(rig.nic, &bytes);
}

void rig_advance_us(uint64_t us)
{
    uint64_t end = rig.now + us * 1000;
    while (rig.now < end) {
        uint64_t next = loop_next_deadline(&rig.loop);
        rig.now = next > rig.now && next < end ? next : end;
        loop_run_timers(&rig.loop);
        deliver();
    }
}

uint64_t rig_now_us(void) { return rig.now / 1000; }
unsigned rig_irqs_delivered(void) { return rig.delivered; }
bool rig_irq_storm(void) { return rig.storm; }
const char *rig_printed(void) { return rig.printed; }
const char *rig_warnings(void) { return rig.warnings; }

/* ---- tests/shim/x86.h and mmio.h ---- */

/* The access is over: the driver's next instruction is not known, and an
 * interrupt may be taken. */
static uint32_t accessed(uint64_t v)
{
    rig.pc_known = false;
    deliver();
    return (uint32_t)v;
}

uint32_t shim_port_read(uint16_t port, unsigned size)
{
    ACCESS_FROM_CALLER();
    return accessed(as_read(&rig.io_as, port, size));
}

void shim_port_write(uint16_t port, uint32_t v, unsigned size)
{
    ACCESS_FROM_CALLER();
    as_write(&rig.io_as, port, v, size);
    rig.pc_known = false;
    if (rig.armed_len &&
        !(pci_config_read(e1000dev_pci(rig.nic), PCI_COMMAND, 2) & PCI_COMMAND_MEMORY)) {
        net_send(&rig.wire, rig.armed_frame, rig.armed_len);
        rig.armed_len = 0;
    }
    deliver();
}

void rig_inject_when_decode_off(const void *frame, size_t len)
{
    memcpy(rig.armed_frame, frame, len);
    rig.armed_len = len;
}

uint32_t shim_mmio_read(uint64_t addr, unsigned size)
{
    ACCESS_FROM_CALLER();
    return accessed(as_read(&rig.mem_as, addr, size));
}

void shim_mmio_write(uint64_t addr, uint32_t v, unsigned size)
{
    ACCESS_FROM_CALLER();
    as_write(&rig.mem_as, addr, v, size);
    accessed(0);
}

void shim_set_if(int on) { rig.iflag = on; deliver(); }
int shim_get_if(void) { return rig.iflag; }
uint64_t shim_rdtsc(void) { return rig.now; }

/* hlt: nothing runs until the next timer; the tick comes each 1 ms */
void shim_hlt(void)
{
    uint64_t next = loop_next_deadline(&rig.loop);
    uint64_t tick = rig.now + 1000000;
    rig_advance_us(((next > rig.now && next < tick ? next : tick) - rig.now + 999) / 1000);
}

/* ---- the kernel services the guest code calls ---- */

int printf(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    append(rig.printed, sizeof rig.printed, line);
    if (getenv("CONTRACT_VERBOSE"))
        fputs(line, stderr);
    return n;
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("guest panic: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void delay_us(uint64_t us) { rig_advance_us(us); }
uint64_t time_ns(void) { return rig.now; }
uint64_t tsc_hz(void) { return 1000000000; }

void irq_register(int irq, irq_handler h) { rig.handlers[irq & 15] = h; }
void irq_unmask(int irq) { rig.masked &= (uint16_t)~(1u << (irq & 15)); deliver(); }
void irq_mask(int irq) { rig.masked |= (uint16_t)(1u << (irq & 15)); }
void pic_eoi(int irq) { }
