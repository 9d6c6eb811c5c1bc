/*
 * The e1000 model driven by a guest the fuzzer plays: register accesses
 * through BAR0, the I/O BAR and the register file, descriptors and
 * buffers in guest memory, whole packets with their context descriptors
 * (TSO, checksum offload), frames from the wire, loopback, resets, the
 * link, PCI configuration, the EEPROM and the PHY, and time.
 *
 * Besides memory errors it checks behaviour: what the contract says of
 * INTA, ICR and reset, the EEPROM and the PHY, frames sent (tx_check.c)
 * and received (rx_check.c), and that nothing touches guest memory while
 * bus mastering is off.
 */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "contract/pci.h"
#include "harness.h"
#include "input.h"
#include "ops.h"

struct harness H;

static const uint32_t known_regs[] = {
    E1000_CTRL, E1000_STATUS, E1000_EECD, E1000_EERD, E1000_CTRL_EXT, E1000_MDIC,
    E1000_ICR, E1000_ITR, E1000_ICS, E1000_IMS, E1000_IMC, E1000_RCTL, E1000_TCTL,
    E1000_TIPG, E1000_PBA, E1000_RDBAL, E1000_RDBAH, E1000_RDLEN, E1000_RDH, E1000_RDT,
    E1000_RDTR, E1000_RADV, E1000_TDBAL, E1000_TDBAH, E1000_TDLEN, E1000_TDH, E1000_TDT,
    E1000_TIDV, E1000_TADV, E1000_RXCSUM, E1000_MTA, E1000_MTA + 4 * 127, E1000_RAL(0),
    E1000_RAH(0), E1000_RAL(1), E1000_RAH(1), E1000_RAH(15), E1000_VFTA, E1000_MPC,
    E1000_GPRC, E1000_GPTC, E1000_TPR, E1000_TPT, E1000_RNBC, E1000_ROC, E1000_TSCTC,
    E1000_GORCL, E1000_GOTCH, E1000_LEDCTL, E1000_MANC, E1000_TXDCTL, E1000_RXDCTL,
    0x05a00 /* not implemented */,
};
#define NKNOWN (sizeof known_regs / sizeof known_regs[0])

static uint32_t pick_reg(struct input *in)
{
    unsigned sel = in_u8(in);
    if (sel < NKNOWN)
        return known_regs[sel];
    return ((uint32_t)in_u16(in) << 2) % E1000_BAR0_SIZE;
}

/* ---- the wire ---- */

static bool peer_rx(struct net_client *nc, const uint8_t *f, size_t len)
{
    H.frames++;
    /* no frame shorter than its Ethernet header (corpus/e1000/empty_frame) */
    FUZZ_CHECK(len >= 14 && len <= NET_FRAME_MAX, "a %zu-byte frame on the wire", len);
    if (reg(E1000_TCTL) & E1000_TCTL_PSP)
        FUZZ_CHECK(len >= 60, "a %zu-byte frame sent with TCTL.PSP (pad to 60)", len);
    tx_expect_frame(f, len);
    return true;
}

static const struct net_client_ops peer_ops = { "test", NULL, peer_rx };

/* The device starts work a moment after a doorbell (E1000_DMA_DELAY_NS)
 * and resumes a batch cut short at once: run what falls due within 10 us,
 * moving the clock to each deadline. */
void settle(void)
{
    for (int i = 0; i < 256; i++) {
        uint64_t d = loop_next_deadline(&H.rig.loop);
        if (d > H.rig.now + 10000)
            break;
        if (d > H.rig.now)
            H.rig.now = d;
        loop_run_timers(&H.rig.loop);
    }
}

/* ---- invariants after every operation ---- */

static void check_irq(void)
{
    struct e1000 *e = nic();
    uint32_t icr = reg(E1000_ICR), pending = icr & reg(E1000_IMS) & ~E1000_ICR_INT_ASSERTED;
    int level = e->pci.irq_level;
    FUZZ_CHECK(!!(icr & E1000_ICR_INT_ASSERTED) == !!pending,
               "ICR.INT_ASSERTED %d with ICR 0x%x IMS 0x%x", !!(icr >> 31), icr, reg(E1000_IMS));
    FUZZ_CHECK(!level || pending, "INTA asserted with nothing pending (ICR 0x%x IMS 0x%x)", icr,
               reg(E1000_IMS));
    if (pending && !(reg(E1000_ITR) & 0xffff) && !e->itr.armed)
        FUZZ_CHECK(level, "causes 0x%x pending and unmasked, no ITR, yet INTA is low", pending);
    uint16_t cmd = pci_get_word(e->pci.config + PCI_COMMAND);
    FUZZ_CHECK(H.rig.irq_line == (level && !(cmd & PCI_COMMAND_INTX_DISABLE)),
               "the interrupt line shows %d for level %d, command 0x%x", H.rig.irq_line,
               level, cmd);
    uint16_t st = pci_get_word(e->pci.config + PCI_STATUS);
    FUZZ_CHECK(!!(st & PCI_STATUS_INTERRUPT) == !!level, "PCI status 0x%x for INTA %d", st,
               level);
}

static void check_status(void)
{
    struct e1000 *e = nic();
    /* in PHY loopback the PHY is linked to itself, cable or not */
    bool lu = (e->link_up || (e->phy[PHY_CTRL] & MII_CR_LOOPBACK)) &&
              (reg(E1000_CTRL) & E1000_CTRL_SLU);
    uint32_t status = e1000dev_reg_read(e, E1000_STATUS);
    FUZZ_CHECK(!!(status & E1000_STATUS_LU) == lu, "STATUS 0x%x with the cable %s, CTRL 0x%x",
               status, e->link_up ? "in" : "out", reg(E1000_CTRL));
    FUZZ_CHECK(!(reg(E1000_CTRL) & (E1000_CTRL_RST | E1000_CTRL_PHY_RST)),
               "CTRL 0x%x keeps a self-clearing reset bit", reg(E1000_CTRL));
    FUZZ_CHECK(!(reg(E1000_TDLEN) & 0x7f) && !(reg(E1000_RDLEN) & 0x7f),
               "ring lengths TDLEN 0x%x RDLEN 0x%x not multiples of 128", reg(E1000_TDLEN),
               reg(E1000_RDLEN));
    FUZZ_CHECK(reg(E1000_TDH) <= 0xffff && reg(E1000_TDT) <= 0xffff && reg(E1000_RDH) <= 0xffff &&
               reg(E1000_RDT) <= 0xffff, "a ring index wider than 16 bits");
    size_t bytes;
    unsigned frames = e1000dev_rx_waiting(e, &bytes);
    FUZZ_CHECK(frames <= NET_QUEUE_LIMIT && bytes <= E1000_RX_FIFO_BYTES,
               "the receive FIFO holds %u frames, %zu bytes", frames, bytes);
}

/* ---- nothing moves in guest memory while bus mastering is off ---- */

static uint8_t ram_before[RIG_RAM_SIZE];   /* (libc's memcpy and memcmp: fast, not traced) */

/* ---- operations ---- */

static void op_reg_write(struct input *in)
{
    uint32_t off = pick_reg(in), v = in_u32(in);
    wr(off, v);
}

static void op_reg_read(struct input *in)
{
    uint32_t off = pick_reg(in);
    e1000dev_reg_read(nic(), off);
    /* clear on read: causes and counts are handed over once */
    if (off == E1000_ICR || (off >= E1000_STATS_FIRST && off <= E1000_STATS_LAST)) {
        uint32_t again = e1000dev_reg_read(nic(), off);
        FUZZ_CHECK(again == 0, "register 0x%05x reads 0x%x right after a read", off, again);
    }
}

static const unsigned sizes[4] = { 1, 2, 4, 8 };

static void op_mmio(struct input *in)
{
    uint8_t flags = in_u8(in);
    uint32_t off = in_u32(in) % (E1000_BAR0_SIZE + 64);
    unsigned size = sizes[(flags >> 1) & 3];
    if (flags & 1)
        as_write(&H.rig.mem_as, E1000_BAR0_ADDR + off, in_u64(in), size);
    else
        as_read(&H.rig.mem_as, E1000_BAR0_ADDR + off, size);
}

static void op_io(struct input *in)
{
    uint8_t flags = in_u8(in);
    uint32_t off = in_u8(in) % (E1000_BAR1_SIZE + 8);
    unsigned size = sizes[(flags >> 1) & 3];
    uint32_t v = in_u32(in);
    bool mapped = nic()->pci.bars[1].mapped && nic()->pci.bars[1].addr == E1000_BAR1_ADDR;
    if (flags & 1) {
        as_write(&H.rig.io_as, E1000_BAR1_ADDR + off, v, size);
        if (mapped && off == E1000_IOADDR && size == 4) {
            uint32_t back = (uint32_t)as_read(&H.rig.io_as, E1000_BAR1_ADDR, 4);
            FUZZ_CHECK(back == (v & ~3u), "IOADDR reads 0x%x after 0x%x was written", back, v);
        }
    } else {
        as_read(&H.rig.io_as, E1000_BAR1_ADDR + off, size);
    }
}

static void op_ram(struct input *in)
{
    uint32_t addr = in_u32(in) % RIG_RAM_SIZE;
    uint8_t buf[64];
    size_t n = in_bytes(in, buf, in_u8(in) % (sizeof buf + 1));
    if (addr + n > RIG_RAM_SIZE)
        n = RIG_RAM_SIZE - addr;
    memcpy(H.rig.ram + addr, buf, n);
}

static void op_tx_setup(struct input *in)
{
    unsigned n = (in_u8(in) % 32 + 1) * 8;
    uint8_t flags = in_u8(in);
    uint32_t tidv = in_u8(in), tadv = in_u8(in);
    memset(H.rig.ram + TXR, 0, n * E1000_DESC_SIZE);
    wr(E1000_TCTL, 0);
    wr(E1000_TDBAL, TXR);
    wr(E1000_TDBAH, 0);
    wr(E1000_TDLEN, n * E1000_DESC_SIZE);
    wr(E1000_TDH, 0);
    wr(E1000_TDT, 0);
    wr(E1000_TIDV, tidv);
    wr(E1000_TADV, tadv);
    wr(E1000_IMS, E1000_ICR_VALID_MASK);
    uint32_t tctl = E1000_TCTL_EN | E1000_TCTL_PSP;
    if (flags & 1)
        tctl &= ~E1000_TCTL_PSP;
    if (flags & 2)
        tctl &= ~E1000_TCTL_EN;
    wr(E1000_TCTL, tctl);
}

static void op_time(struct input *in)
{
    uint64_t ns = (uint64_t)in_u32(in) << (in_u8(in) % 16);
    H.rig.now += ns;
    loop_run_timers(&H.rig.loop);
    settle();
}

/* CTRL.RST through either BAR: the state the 8254x manual gives after a
 * software reset (what pcemu's model keeps of it). */
static void check_reset_state(void)
{
    struct e1000 *e = nic();
    uint32_t ral = (uint32_t)e->mac[0] | e->mac[1] << 8 | e->mac[2] << 16 |
                   (uint32_t)e->mac[3] << 24;
    FUZZ_CHECK(reg(E1000_RAL(0)) == ral, "RAL0 0x%x after reset", reg(E1000_RAL(0)));
    FUZZ_CHECK(reg(E1000_RAH(0)) == ((uint32_t)e->mac[4] | e->mac[5] << 8 | E1000_RAH_AV),
               "RAH0 0x%x after reset", reg(E1000_RAH(0)));
    FUZZ_CHECK(reg(E1000_ICR) == 0 && reg(E1000_IMS) == 0, "ICR 0x%x IMS 0x%x after reset",
               reg(E1000_ICR), reg(E1000_IMS));
    FUZZ_CHECK(reg(E1000_TDH) == 0 && reg(E1000_TDT) == 0 && reg(E1000_RDH) == 0 &&
               reg(E1000_RDT) == 0 && reg(E1000_TCTL) == 0 && reg(E1000_RCTL) == 0,
               "rings or enables not cleared by reset");
    size_t bytes;
    FUZZ_CHECK(e1000dev_rx_waiting(e, &bytes) == 0 && bytes == 0, "frames kept across reset");
    FUZZ_CHECK(!e->tx.active && e->tx.len == 0, "a half-gathered packet kept across reset");
    FUZZ_CHECK(!e->pci.irq_level, "INTA asserted after reset");
}

static void op_reset(struct input *in)
{
    switch (in_u8(in) % 4) {
    case 0:
        wr(E1000_CTRL, reg(E1000_CTRL) | E1000_CTRL_RST);
        check_reset_state();
        break;
    case 1: {
        bool mapped = nic()->pci.bars[1].mapped && nic()->pci.bars[1].addr == E1000_BAR1_ADDR;
        as_write(&H.rig.io_as, E1000_BAR1_ADDR + E1000_IOADDR, E1000_CTRL, 4);
        as_write(&H.rig.io_as, E1000_BAR1_ADDR + E1000_IODATA, E1000_CTRL_RST, 4);
        if (mapped)
            check_reset_state();
        break;
    }
    case 2:
        wr(E1000_CTRL, reg(E1000_CTRL) | E1000_CTRL_PHY_RST);
        break;
    default:
        wr(E1000_RCTL, reg(E1000_RCTL) & ~E1000_RCTL_EN);
        break;
    }
}

static void op_pci(struct input *in)
{
    struct pci_device *d = e1000dev_pci(nic());
    uint8_t which = in_u8(in);
    uint32_t v = in_u32(in);
    switch (which % 4) {
    case 0:
        pci_config_write(d, PCI_COMMAND, v & 0xffff, 2);
        break;
    case 1:
        pci_config_write(d, PCI_BASE_ADDRESS_0, v, 4);
        break;
    case 2:
        pci_config_write(d, PCI_BASE_ADDRESS_0 + 4, v, 4);
        break;
    default: {
        static const unsigned lens[3] = { 1, 2, 4 };
        unsigned len = lens[(which >> 2) % 3], addr = (v >> 24) & ~(len - 1);
        pci_config_write(d, addr, v, len);
        break;
    }
    }
}

/* The EEPROM read both ways: EERD, and bit by bit over Microwire, give
 * the same word; all 64 words add up to the checksum. */
static uint16_t eerd_word(unsigned w)
{
    wr(E1000_EERD, E1000_EERD_START | w << E1000_EERD_ADDR_SHIFT);
    uint32_t v = e1000dev_reg_read(nic(), E1000_EERD);
    FUZZ_CHECK(v & E1000_EERD_DONE, "EERD 0x%x without DONE", v);
    return (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
}

static uint16_t microwire_word(unsigned w)
{
    const uint32_t cs = E1000_EECD_CS;
    /* start bit and READ opcode (1 10), six address bits, most
     * significant first; then a dummy 0 and the word's 16 bits */
    unsigned bits = E1000_EEPROM_READ_OPCODE << E1000_EEPROM_ADDR_BITS | (w & 0x3f);
    wr(E1000_EECD, 0);
    wr(E1000_EECD, cs);
    for (int i = 8; i >= 0; i--) {
        uint32_t di = (bits >> i & 1) ? E1000_EECD_DI : 0;
        wr(E1000_EECD, cs | di);
        wr(E1000_EECD, cs | di | E1000_EECD_SK);
        wr(E1000_EECD, cs | di);
    }
    uint16_t v = 0;
    for (int i = 0; i < 16; i++) {
        wr(E1000_EECD, cs | E1000_EECD_SK);
        v = (uint16_t)(v << 1 | !!(e1000dev_reg_read(nic(), E1000_EECD) & E1000_EECD_DO));
        wr(E1000_EECD, cs);
    }
    wr(E1000_EECD, 0);
    return v;
}

static void op_eeprom(struct input *in)
{
    uint8_t mode = in_u8(in);
    unsigned w = in_u8(in);
    switch (mode % 4) {
    case 0: {
        uint16_t v = eerd_word(w);
        if (w >= E1000_EEPROM_WORDS)
            FUZZ_CHECK(v == 0, "EERD of word 0x%x past the EEPROM reads 0x%x", w, v);
        break;
    }
    case 1: {
        w %= E1000_EEPROM_WORDS;
        uint16_t mw = microwire_word(w), rd = eerd_word(w);
        FUZZ_CHECK(mw == rd, "EEPROM word %u: 0x%04x over Microwire, 0x%04x through EERD", w,
                   mw, rd);
        break;
    }
    case 2: {
        uint16_t sum = 0;
        for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++)
            sum = (uint16_t)(sum + eerd_word(i));
        FUZZ_CHECK(sum == E1000_EEPROM_SUM, "the EEPROM words add up to 0x%04x", sum);
        break;
    }
    default:
        wr(E1000_EECD, in_u32(in));
        e1000dev_reg_read(nic(), E1000_EECD);
        break;
    }
}

/* The PHY answers at address 1 only, and its IDs are an M88E1011's. */
static void op_mdic(struct input *in)
{
    uint8_t op = in_u8(in), phy = in_u8(in) % 4 ? E1000_PHY_ADDR : in_u8(in) % 32;
    unsigned r = in_u8(in) % 32;
    uint16_t data = in_u16(in);
    bool write = op & 1;
    wr(E1000_MDIC, (write ? E1000_MDIC_OP_WRITE : E1000_MDIC_OP_READ) |
                   (uint32_t)phy << E1000_MDIC_PHY_SHIFT | r << E1000_MDIC_REG_SHIFT | data);
    uint32_t v = e1000dev_reg_read(nic(), E1000_MDIC);
    FUZZ_CHECK(v & E1000_MDIC_READY, "MDIC 0x%x not READY", v);
    if (phy != E1000_PHY_ADDR)
        FUZZ_CHECK(v & E1000_MDIC_ERROR, "MDIC 0x%x without ERROR for PHY address %u", v, phy);
    if (!write && phy == E1000_PHY_ADDR && (r == PHY_ID1 || r == PHY_ID2)) {
        uint16_t id = r == PHY_ID1 ? M88E1011_PHY_ID1 : M88E1011_PHY_ID2;
        FUZZ_CHECK(!(v & E1000_MDIC_ERROR) && (v & 0xffff) == id, "PHY ID%u read as MDIC 0x%x",
                   r == PHY_ID1 ? 1 : 2, v);
    }
}

static void op_info(struct input *in)
{
    static FILE *null;
    if (!null)
        null = fopen("/dev/null", "w");
    uint32_t before[E1000_NREGS];
    memcpy(before, nic()->regs, sizeof before);
    if (null)
        e1000dev_info(nic(), null);
    FUZZ_CHECK(memcmp(before, nic()->regs, sizeof before) == 0,
               "`info e1000` changed a register");
}

static void op_loopback(struct input *in)
{
    uint32_t rctl = reg(E1000_RCTL) & ~E1000_RCTL_LBM_MASK;
    wr(E1000_RCTL, rctl | (in_bool(in) ? E1000_RCTL_LBM_MAC : 0));
}

static void op_link(struct input *in)
{
    e1000dev_set_link(nic(), in_bool(in));
}

/* what each opcode does (ops.h) */
static void (*const do_op[])(struct input *) = {
    [E_REG_WRITE] = op_reg_write,
    [E_REG_READ] = op_reg_read,
    [E_MMIO] = op_mmio,
    [E_IO] = op_io,
    [E_RAM] = op_ram,
    [E_TX_DESC] = op_tx_desc,
    [E_TX_PACKET] = op_tx_packet,
    [E_TX_SETUP] = op_tx_setup,
    [E_RX_SETUP] = op_rx_setup,
    [E_RX_FRAME] = op_rx_frame,
    [E_TIME] = op_time,
    [E_RESET] = op_reset,
    [E_LINK] = op_link,
    [E_PCI] = op_pci,
    [E_EEPROM] = op_eeprom,
    [E_MDIC] = op_mdic,
    [E_INFO] = op_info,
    [E_LOOPBACK] = op_loopback,
};
_Static_assert(sizeof do_op / sizeof do_op[0] == E_OPS, "a function for each opcode");

static void step(struct input *in)
{
    unsigned op = in_u8(in) % E_OPS;
    /* (ops that write guest memory themselves are left out) */
    bool guard = !master_on() && op != E_RAM && op != E_TX_DESC && op != E_TX_PACKET &&
                 op != E_TX_SETUP && op != E_RX_SETUP;
    if (guard)
        memcpy(ram_before, H.rig.ram, RIG_RAM_SIZE);
    do_op[op](in);
    if (guard && !master_on())
        FUZZ_CHECK(memcmp(ram_before, H.rig.ram, RIG_RAM_SIZE) == 0,
                   "guest memory changed with bus mastering off (op %u)", op);
    check_irq();
    check_status();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    bus_rig_init(&H.rig, true);
    H.frames = 0;
    H.expect = NULL;
    H.rx.on = false;
    net_client_init(&H.peer, "peer", &peer_ops, NULL);
    net_connect(e1000dev_net_client(nic()), &H.peer);
    for (unsigned ops = 0; !in_empty(&in) && ops < 512; ops++)
        step(&in);
    bus_rig_fini(&H.rig);
    net_client_cleanup(&H.peer);
    return 0;
}
