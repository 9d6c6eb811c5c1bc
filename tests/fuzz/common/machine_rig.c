#include <string.h>
#include "contract/e1000.h"
#include "contract/pci.h"
#include "contract/platform.h"
#include "core/log.h"
#include "input.h"
#include "machine_rig.h"

struct machine M;
struct fake_cpu FAKE;
uint8_t mrig_ram[MRIG_RAM_SIZE];

static int f_get_state(struct cpu *c, struct cpu_state *s) { *s = FAKE.s; return 0; }
static int f_set_state(struct cpu *c, const struct cpu_state *s) { FAKE.s = *s; return 0; }
static int f_get_fpu(struct cpu *c, struct cpu_fpu *f) { *f = FAKE.f; return 0; }
static int f_set_fpu(struct cpu *c, const struct cpu_fpu *f) { FAKE.f = *f; return 0; }
static int f_set_debug(struct cpu *c, const struct cpu_debug *d) { FAKE.dbg = *d; return 0; }
static int f_reinject(struct cpu *c) { return 0; }
static void f_kick(struct cpu *c) { FAKE.kicks++; }
static void f_sync(struct cpu *c) { }

static const struct cpu_ops fake_ops = {
    .name = "fake", .hw_bps = CPU_HW_BPS, .get_state = f_get_state, .set_state = f_set_state,
    .get_fpu = f_get_fpu, .set_fpu = f_set_fpu, .set_debug = f_set_debug,
    .reinject_bp = f_reinject, .kick = f_kick, .sync = f_sync,
};

static void quiet(void *opaque, const char *line) { }

void mrig_init(void)
{
    struct machine *m = &M;
    memset(m, 0, sizeof *m);
    memset(&FAKE, 0, sizeof FAKE);
    memset(mrig_ram, 0, sizeof mrig_ram);
    log_capture(quiet, NULL);
    loop_init(&m->loop);
    m->ram = mrig_ram;
    m->ram_size = m->lowmem = MRIG_RAM_SIZE;
    board_spaces_init(&m->sysmem, &m->io, &m->mem_as, &m->io_as);
    region_init_ram(&m->ram_region, "pc.ram", MRIG_RAM_SIZE, mrig_ram);
    region_init_alias(&m->ram_low, "ram-below-4g", &m->ram_region, 0, MRIG_RAM_SIZE);
    region_add(&m->sysmem, &m->ram_low, 0, 0);
    /* pcemu's board, its debug-exit and COM1 going nowhere */
    static const struct board_config cfg = { .mac = E1000_DEFAULT_MAC };
    board_init(&m->board, &cfg, &m->sysmem, &m->io, &m->mem_as, &m->io_as);
    m->board.loop = &m->loop;
    board_add_all(&m->board);
    /* and the e1000 may master the bus, which the fuzzer would rarely find */
    pci_firmware_set_command(board_pci(&m->board, "e1000"),
                             PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    m->cpu_ops = &fake_ops;
    m->cpu = (struct cpu *)&FAKE;          /* never looked into: the ops use FAKE */
    FAKE.s.rip = 0x1000;
    FAKE.s.rflags = 0x2;
    FAKE.s.cs.selector = 0x08;
    FAKE.s.cr0 = 0x11;                    /* protected mode, paging off */
}

size_t mrig_ram_bytes(struct input *in, uint32_t *addr, uint8_t b[64])
{
    *addr = in_u32(in) % MRIG_RAM_SIZE;
    size_t n = in_bytes(in, b, in_u8(in) % 64);
    return *addr + n > MRIG_RAM_SIZE ? MRIG_RAM_SIZE - *addr : n;
}

void mrig_fini(void)
{
    board_destroy(&M.board);
}
