/*
 * The mistakes students make writing an e1000 driver, each made on
 * purpose by a small driver of the lab's shape (init, send, receive)
 * run against pcemu's model: each must draw exactly one warning, the
 * one that names its rule, register or descriptor, manual section and
 * the driver's line, found in this executable's debug information as
 * pcemu finds the guest's. Mistakes the device cannot see (SECRC unset,
 * BSIZE other than the buffers) are shown for what hardware does then.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "contract/e1000.h"
#include "contract_rig.h"
#include "heap.h"
#include "mmio.h"
#include "pci.h"

#define N 8                     /* descriptors in each of the student's rings */
#define BUFSZ 2048
#define THIS_FILE "tests/contract/test_e1000_mistakes.c"

/* What the student gets wrong (all false: a driver that works). */
static struct mistakes {
    bool no_bme, tdlen_one, rdlen_one, no_tdlen, no_rdlen, tdh_past_end, rdh_past_end;
    bool rdt_zero, rdt_past_end, tctl_off, rctl_off, no_secrc, bsize_256, bsex_reserved;
    bool tdbal_unaligned, rdbal_unaligned, tx_ring_virtual, rx_ring_virtual;
    bool tx_virtual, rx_virtual, tx_null, rx_null, ims_zero;
    bool no_eop, no_rs, no_copy, always_desc0, tdt_unwrapped, rdt_before_copy;
} m;

static struct {
    struct pci_dev *pci;
    volatile uint8_t *regs;
    volatile struct e1000_tx_desc *tx;
    volatile struct e1000_rx_desc *rx;
    uint8_t *txbuf, *rxbuf;
    unsigned tx_tail, rx_next;
} st;

/* The line of each register's last write, for the warning to name. */
static int line_of[0x6000 / 4];
#define W(reg, v) (line_of[(reg) / 4] = __LINE__, mmio_write32(st.regs + (reg), (v)))
#define RD(reg) mmio_read32(st.regs + (reg))

/* An address a driver might take for a buffer's: its virtual alias in a
 * higher half, which is no bus address. */
static uint64_t virt(const void *p)
{
    return (uint64_t)(uintptr_t)p ^ 0xffff800000000000ull;
}

static uint64_t phys(const volatile void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* ---- the student's driver ---- */

static __attribute__((noinline)) void student_init(void)
{
    st.pci = pci_find(0, 3, 0);
    pci_enable_decoding(st.pci);
    if (!m.no_bme)
        pci_set_master(st.pci);
    st.regs = pci_map_bar(st.pci, 0);
    W(E1000_CTRL, RD(E1000_CTRL) | E1000_CTRL_RST);
    W(E1000_IMC, 0xffffffff);
    if (m.ims_zero)
        W(E1000_IMS, 0);                              /* "mask everything" */
    uint8_t *txr = kzalloc(N * 16 + 16), *rxr = kzalloc(N * 16 + 16);
    st.tx = (volatile struct e1000_tx_desc *)(txr + (m.tdbal_unaligned ? 8 : 0));
    st.rx = (volatile struct e1000_rx_desc *)(rxr + (m.rdbal_unaligned ? 8 : 0));
    st.txbuf = kzalloc(N * BUFSZ);
    st.rxbuf = kzalloc(N * BUFSZ);
    st.tx_tail = st.rx_next = 0;
    uint64_t tdba = m.tx_ring_virtual ? virt((void *)st.tx) : phys(st.tx);
    uint64_t rdba = m.rx_ring_virtual ? virt((void *)st.rx) : phys(st.rx);
    W(E1000_TDBAL, (uint32_t)tdba);
    W(E1000_TDBAH, (uint32_t)(tdba >> 32));
    if (!m.no_tdlen)
        W(E1000_TDLEN, m.tdlen_one ? 16 : N * 16);
    W(E1000_TDH, m.tdh_past_end ? N : 0);
    W(E1000_TDT, 0);
    W(E1000_TCTL, (m.tctl_off ? 0 : E1000_TCTL_EN) | E1000_TCTL_PSP);
    for (unsigned i = 0; i < N; i++) {
        uint8_t *b = st.rxbuf + i * BUFSZ;
        st.rx[i].buffer_addr = m.rx_null ? 0 : m.rx_virtual ? virt(b) : phys(b);
    }
    W(E1000_RDBAL, (uint32_t)rdba);
    W(E1000_RDBAH, (uint32_t)(rdba >> 32));
    if (!m.no_rdlen)
        W(E1000_RDLEN, m.rdlen_one ? 16 : N * 16);
    W(E1000_RDH, m.rdh_past_end ? N : 0);
    W(E1000_RDT, m.rdt_zero ? 0 : m.rdt_past_end ? N : N - 1);
    W(E1000_RCTL, (m.rctl_off ? 0 : E1000_RCTL_EN) | E1000_RCTL_BAM |
                  (m.no_secrc ? 0 : E1000_RCTL_SECRC) |
                  (m.bsize_256 ? E1000_RCTL_BSIZE_256 : E1000_RCTL_BSIZE_2048) |
                  (m.bsex_reserved ? E1000_RCTL_BSEX : 0));
}

/* No DD check: the tests decide when the device has had time. */
static __attribute__((noinline)) void student_send(const void *frame, size_t len)
{
    unsigned i = m.always_desc0 ? 0 : st.tx_tail % N;
    uint8_t *b = st.txbuf + i * BUFSZ;
    if (!m.no_copy)
        memcpy(b, frame, len);
    st.tx[i].buffer_addr = m.tx_null ? 0 : m.tx_virtual ? virt(b) : phys(b);
    st.tx[i].length = (uint16_t)len;
    st.tx[i].status = 0;
    st.tx[i].cmd = (uint8_t)((m.no_eop ? 0 : E1000_TXD_CMD_EOP) |
                             (m.no_rs ? 0 : E1000_TXD_CMD_RS) | E1000_TXD_CMD_IFCS);
    st.tx_tail = m.tdt_unwrapped ? i + 1 : (i + 1) % N;
    W(E1000_TDT, st.tx_tail);
}

/* The lab's way: the next frame is in rx_next; RDT names the last
 * descriptor the driver holds. */
static __attribute__((noinline)) size_t student_recv(uint8_t *buf)
{
    unsigned i = st.rx_next;
    if (!(st.rx[i].status & E1000_RXD_STAT_DD))
        return 0;
    if (m.rdt_before_copy)
        W(E1000_RDT, (i + 1) % N);              /* hands this one back too */
    size_t len = st.rx[i].length;
    memcpy(buf, st.rxbuf + i * BUFSZ, len);
    st.rx[i].status = 0;
    if (!m.rdt_before_copy)
        W(E1000_RDT, i);
    st.rx_next = (i + 1) % N;
    return len;
}

/* ---- the rig ---- */

static const uint8_t our_mac[6] = E1000_DEFAULT_MAC;

static size_t make_frame(uint8_t *f, size_t len, unsigned tag)
{
    memcpy(f, our_mac, 6);
    memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02\x88\xb5", 8);
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(tag + i);
    return len;
}

static void settle(void)
{
    rig_advance_us(2);
}

static int setup(void **state)
{
    memset(&m, 0, sizeof m);
    memset(&st, 0, sizeof st);
    memset(line_of, 0, sizeof line_of);
    rig_init(our_mac, true);                   /* as pcemu's firmware leaves it */
    pci_core_reset();
    assert_int_equal(pci_init(), 2);
    return 0;
}

static int teardown(void **state)
{
    rig_fini();
    return 0;
}

/* The warnings, with the host address of the driver's instruction (it
 * moves from run to run) shown as 0xADDR. */
static const char *warnings(void)
{
    static char out[8192];
    const char *in = rig_warnings(), *key = "guest instruction 0x";
    size_t o = 0;
    while (*in && o < sizeof out - 8) {
        if (strncmp(in, key, strlen(key)) == 0) {
            memcpy(out + o, key, strlen(key));
            o += strlen(key);
            in += strlen(key);
            while ((*in >= '0' && *in <= '9') || (*in >= 'a' && *in <= 'f'))
                in++;
            memcpy(out + o, "ADDR", 4);
            o += 4;
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = 0;
    return out;
}

/* Exactly one warning: text, then where (NULL: no instruction named;
 * else "guest instruction" or "REG last written by guest instruction")
 * in func at this file's line. */
static void expect_one(const char *text, const char *where, const char *func, int line)
{
    char want[1024];
    if (where)
        snprintf(want, sizeof want, "pcemu: warning: e1000: %s; %s 0xADDR in %s (%s:%d)\n", text,
                 where, func, THIS_FILE, line);
    else
        snprintf(want, sizeof want, "pcemu: warning: e1000: %s\n", text);
    assert_string_equal(warnings(), want);
}

static const char *const at = "guest instruction";

/* The mistakes the device sees as the driver makes them: with the flag
 * set, student_init and (SEND) one frame sent, which (UNSENT) never goes
 * out; exactly one warning, text, naming the line of func that last
 * wrote reg. Where the text names an address (addr), it is a format of
 * that address and of the address aligned down to 16 bytes. */
enum { INIT_ONLY = 0, SEND = 1, UNSENT = 2 };
enum addr { NO_ADDR, TX_RING, RX_RING, TX_RING_VIRT, RX_RING_VIRT, TX_BUF_VIRT, RX_BUF_VIRT };

static const struct seen {
    const char *name;
    bool *mistake;
    unsigned does;
    const char *func;
    uint32_t reg;
    enum addr addr;
    const char *text;
} seen[] = {
    { "bus_mastering_never_enabled", &m.no_bme, SEND | UNSENT, "student_init", E1000_RDT, NO_ADDR,
      "RDT written (7) while PCI COMMAND.BME is off: without bus mastering the device cannot "
      "write frames to memory, so they wait; set COMMAND bit 2 first (PCI 3.0 6.2.2)" },
    { "tctl_en_left_off", &m.tctl_off, SEND | UNSENT, "student_send", E1000_TDT, NO_ADDR,
      "TDT written (1) while TCTL.EN is clear: the transmitter is off and sends nothing until "
      "TCTL.EN is set (8254x 13.4.33)" },
    { "rdt_one_past_the_end", &m.rdt_past_end, INIT_ONLY, "student_init", E1000_RDT, NO_ADDR,
      "RDT = 8 is past the end of the 8-descriptor receive ring (RDLEN 128 bytes): nothing is "
      "received until it is fixed; the last index is 7 (8254x 13.4.29)" },
    { "tdh_past_the_end", &m.tdh_past_end, INIT_ONLY, "student_init", E1000_TDH, NO_ADDR,
      "TDH = 8 is past the end of the 8-descriptor transmit ring: nothing is sent until it is "
      "set inside it (8254x 13.4.39)" },
    { "rdh_past_the_end", &m.rdh_past_end, INIT_ONLY, "student_init", E1000_RDH, NO_ADDR,
      "RDH = 8 is past the end of the 8-descriptor receive ring: nothing is received until it is "
      "set inside it (8254x 13.4.28)" },
    { "tdlen_of_one_descriptor", &m.tdlen_one, SEND, "student_init", E1000_TDLEN, NO_ADDR,
      "TDLEN = 16 is not a multiple of 128 bytes: bits 6:0 are ignored, leaving 0 descriptors "
      "(8254x 13.4.38)" },
    { "rdlen_of_one_descriptor", &m.rdlen_one, INIT_ONLY, "student_init", E1000_RDLEN, NO_ADDR,
      "RDLEN = 16 is not a multiple of 128 bytes: bits 6:0 are ignored, leaving 0 descriptors "
      "(8254x 13.4.27)" },
    { "tdlen_never_written", &m.no_tdlen, SEND, "student_send", E1000_TDT, NO_ADDR,
      "TDT written (1) while TDLEN is 0: there is no transmit ring; program TDBAL, TDBAH and "
      "TDLEN first (8254x 14.5)" },
    { "rdlen_never_written", &m.no_rdlen, INIT_ONLY, "student_init", E1000_RDT, NO_ADDR,
      "RDT written (7) while RDLEN is 0: there is no receive ring; program RDBAL, RDBAH and "
      "RDLEN first (8254x 14.4)" },
    { "ims_written_with_zero_to_mask", &m.ims_zero, INIT_ONLY, "student_init", E1000_IMS, NO_ADDR,
      "IMS written with 0, which changes nothing: a 0 bit leaves its cause's mask as it was; to "
      "mask causes, write them to IMC (8254x 13.4.20)" },
    { "eop_left_off", &m.no_eop, SEND | UNSENT, "student_send", E1000_TDT, NO_ADDR,
      "TDT = 1 hands over transmit descriptors ending with 0, which has no EOP: the device holds "
      "the packet until a descriptor with EOP (CMD bit 0) ends it (8254x 3.3.3.1)" },
    { "frame_never_copied_into_the_buffer", &m.no_copy, SEND, "student_send", E1000_TDT, NO_ADDR,
      "transmit descriptor 0 starts a frame whose Ethernet header is all zeros (no destination, "
      "no source MAC): its buffer was not filled, or is not the one filled (8254x 3.3.3)" },
    { "tx_null_buffer", &m.tx_null, SEND, "student_send", E1000_TDT, NO_ADDR,
      "transmit descriptor 0 has buffer address 0 and length 60: a null buffer transfers no data "
      "(8254x 3.3.3.1)" },
    { "rx_null_buffer", &m.rx_null, INIT_ONLY, "student_init", E1000_RDT, NO_ADDR,
      "RDT = 7 hands over receive descriptor 0 with buffer address 0: the device has nowhere to "
      "put a frame (8254x 3.2.3)" },
    { "tdbal_unaligned", &m.tdbal_unaligned, INIT_ONLY, "student_init", E1000_TDBAL, TX_RING,
      "TDBAL = 0x%llx: bits 3:0 are ignored (it reads back 0x%llx), so the ring is not where the "
      "driver put it; align it to 16 bytes (8254x 13.4.36)" },
    { "rdbal_unaligned", &m.rdbal_unaligned, INIT_ONLY, "student_init", E1000_RDBAL, RX_RING,
      "RDBAL = 0x%llx: bits 3:0 are ignored (it reads back 0x%llx), so the ring is not where the "
      "driver put it; align it to 16 bytes (8254x 13.4.25)" },
    { "tx_ring_virtual", &m.tx_ring_virtual, SEND, "student_send", E1000_TDT, TX_RING_VIRT,
      "TDT = 1 hands over transmit descriptor 0 at 0x%llx, which is not RAM: TDBAL/TDBAH hold "
      "the ring's physical address (8254x 13.4.36)" },
    { "rx_ring_virtual", &m.rx_ring_virtual, INIT_ONLY, "student_init", E1000_RDT, RX_RING_VIRT,
      "RDT = 7 hands over receive descriptor 0 at 0x%llx, which is not RAM: RDBAL/RDBAH hold the "
      "ring's physical address (8254x 13.4.25)" },
    { "tx_buffer_virtual", &m.tx_virtual, SEND | UNSENT, "student_send", E1000_TDT, TX_BUF_VIRT,
      "transmit descriptor 0: buffer 0x%llx (60 bytes) is not RAM; descriptors hold physical "
      "addresses (8254x 3.3.3)" },
    { "rx_buffer_virtual", &m.rx_virtual, INIT_ONLY, "student_init", E1000_RDT, RX_BUF_VIRT,
      "RDT = 7 hands over receive descriptor 0 whose buffer 0x%llx (2048 bytes, RCTL.BSIZE) is "
      "not RAM; descriptors hold physical addresses (8254x 3.2.3)" },
};

static uint64_t address(enum addr a)
{
    switch (a) {
    case TX_RING:
        return (uint32_t)phys(st.tx);       /* as written to TDBAL */
    case RX_RING:
        return (uint32_t)phys(st.rx);
    case TX_RING_VIRT:
        return virt((void *)st.tx);
    case RX_RING_VIRT:
        return virt((void *)st.rx);
    case TX_BUF_VIRT:
        return virt(st.txbuf);
    case RX_BUF_VIRT:
        return virt(st.rxbuf);
    default:
        return 0;
    }
}

static void warns(void **state)
{
    const struct seen *s = *state;
    *s->mistake = true;
    student_init();
    if (s->does & SEND) {
        uint8_t f[60];
        student_send(f, make_frame(f, sizeof f, 1));
    }
    if (s->does & UNSENT) {
        settle();
        assert_int_equal(rig_sent_count(), 0);
    }
    char text[300];
    unsigned long long a = address(s->addr);
    snprintf(text, sizeof text, s->text, a, a & ~0xfull);
    expect_one(text, at, s->func, line_of[s->reg / 4]);
}

/* ---- bus mastering, enables, ring registers ---- */

static void rctl_en_left_off(void **state)
{
    m.rctl_off = true;
    student_init();
    uint8_t f[60], got[BUFSZ];
    rig_inject(f, make_frame(f, sizeof f, 1));
    settle();
    assert_int_equal(student_recv(got), 0);
    expect_one("a frame arrived while RCTL.EN is clear: the receiver is off and drops it; set "
               "RCTL.EN once the ring is ready (8254x 13.4.22, 14.4)",
               "RCTL last written by guest instruction", "student_init", line_of[E1000_RCTL / 4]);
}

static void rdh_equal_to_rdt_at_start(void **state)
{
    m.rdt_zero = true;
    student_init();
    uint8_t f[60], got[BUFSZ];
    rig_inject(f, make_frame(f, sizeof f, 1));
    settle();
    assert_int_equal(student_recv(got), 0);
    assert_int_equal(rig_frames_waiting(), 1);
    expect_one("a frame arrived with RDH == RDT (0) and no receive descriptor ever handed over: "
               "the device owns RDH up to RDT - 1, so it has none; at start RDT is the ring "
               "size - 1; the frame waits (RNBC) (8254x 13.4.29, 14.4)",
               "RCTL last written by guest instruction", "student_init", line_of[E1000_RCTL / 4]);
}

static void tdt_one_past_the_end(void **state)
{
    m.tdt_unwrapped = true;
    student_init();
    uint8_t f[60];
    for (unsigned i = 0; i < N; i++) {
        student_send(f, make_frame(f, sizeof f, i));
        settle();
    }
    assert_int_equal(rig_sent_count(), N - 1);
    expect_one("TDT = 8 is past the end of the 8-descriptor transmit ring (TDLEN 128 bytes); the "
               "last index is 7 (8254x 13.4.40)", at, "student_send", line_of[E1000_TDT / 4]);
}

static void bsex_with_bsize_zero(void **state)
{
    char text[300];
    m.bsex_reserved = true;
    student_init();
    snprintf(text, sizeof text, "RCTL = 0x%08x sets BSEX with BSIZE 00, a reserved combination; "
             "taken as 2048-byte buffers (8254x 13.4.22)", E1000_RCTL_EN | E1000_RCTL_BAM |
             E1000_RCTL_SECRC | E1000_RCTL_BSEX);
    expect_one(text, at, "student_init", line_of[E1000_RCTL / 4]);
}

/* ---- transmit descriptors ---- */

static void rs_left_off(void **state)
{
    m.no_rs = true;
    student_init();
    uint8_t f[60];
    for (unsigned i = 0; i < N - 1; i++) {
        student_send(f, make_frame(f, sizeof f, i));
        settle();
    }
    assert_int_equal(rig_sent_count(), N - 1);
    assert_false(st.tx[0].status & E1000_TXD_STAT_DD);     /* no RS, no DD */
    expect_one("7 transmit descriptors handed over and none has RS: the device writes DD back "
               "only where RS (CMD bit 3) is set, so a driver waiting for DD waits for ever "
               "(8254x 3.3.3.1)", at, "student_send", line_of[E1000_TDT / 4]);
}

/* Every frame in descriptor 0, TDT left at 1: the second rewrites a
 * descriptor the device has not fetched yet. */
static void descriptor_reused_before_dd(void **state)
{
    char text[300];
    m.always_desc0 = true;
    student_init();
    uint8_t f[100];
    student_send(f, make_frame(f, 60, 1));
    student_send(f, make_frame(f, 100, 2));
    settle();
    assert_int_equal(rig_sent_count(), 1);
    snprintf(text, sizeof text, "transmit descriptor 0 changed after TDT handed it over and "
             "before the device wrote DD back: a driver reuses a descriptor only once DD is set "
             "(8254x 3.3.3.1); gdb: watch -l *(char (*)[16])0x%llx",
             (unsigned long long)phys(st.tx));
    expect_one(text, NULL, NULL, 0);
}

/* No DD check and no time for the device: the eighth frame takes the
 * ring round onto TDH. */
static void ring_lapped_before_dd(void **state)
{
    student_init();
    uint8_t f[60];
    for (unsigned i = 0; i < N; i++)
        student_send(f, make_frame(f, sizeof f, i));
    expect_one("TDT moved from 7 to 0, onto or past TDH (0), while the device still owned the "
               "descriptors in between: they were reused before DD; stop one short of TDH and "
               "wait for DD (8254x 13.4.40)", at, "student_send", line_of[E1000_TDT / 4]);
}

/* A status read right after TDT finds nothing done: the device starts
 * after the write, as hardware does. */
static void status_read_right_after_tdt(void **state)
{
    student_init();
    uint8_t f[60];
    student_send(f, make_frame(f, sizeof f, 1));
    assert_false(st.tx[0].status & E1000_TXD_STAT_DD);
    assert_int_equal(rig_sent_count(), 0);
    settle();
    assert_true(st.tx[0].status & E1000_TXD_STAT_DD);
    assert_int_equal(rig_sent_count(), 1);
    assert_string_equal(warnings(), "");
}

/* ---- receive descriptors ---- */

/* RDT = i + 1 before the copy: descriptor i goes back while the
 * driver still reads it, DD set. */
static void rdt_handed_back_before_the_copy(void **state)
{
    m.rdt_before_copy = true;
    student_init();
    uint8_t f[60], got[BUFSZ];
    rig_inject(f, make_frame(f, sizeof f, 1));
    rig_inject(f, make_frame(f, sizeof f, 2));
    assert_int_equal(student_recv(got), sizeof f);
    expect_one("RDT = 1 hands receive descriptor 0 back with DD still set: a descriptor goes "
               "back once its frame is copied out and its status cleared, or the driver takes "
               "an old frame for a new one (8254x 3.2.3.1)", at, "student_recv",
               line_of[E1000_RDT / 4]);
}

/* The same with the device caught up: RDT lands on RDH, and the ring
 * the student meant full is empty to the device. */
static void rdt_moved_onto_rdh(void **state)
{
    m.rdt_before_copy = true;
    student_init();
    uint8_t f[60], got[BUFSZ];
    rig_inject(f, make_frame(f, sizeof f, 1));
    assert_int_equal(student_recv(got), sizeof f);
    rig_inject(f, make_frame(f, sizeof f, 2));
    settle();
    assert_int_equal(student_recv(got), 0);                 /* it waits in the FIFO */
    expect_one("RDT = 1 moved onto RDH: with RDH == RDT the device owns no descriptor (an empty "
               "ring, never a full one), so frames wait; RDT names the descriptor after the last "
               "one handed back (8254x 13.4.29)", at, "student_recv", line_of[E1000_RDT / 4]);
}

/* ---- what the device cannot see, and hardware does ---- */

static void secrc_unset_keeps_the_fcs(void **state)
{
    m.no_secrc = true;
    student_init();
    uint8_t f[60], got[BUFSZ];
    rig_inject(f, make_frame(f, sizeof f, 1));
    assert_int_equal(student_recv(got), sizeof f + 4);     /* the FCS, counted */
    assert_memory_equal(got, f, sizeof f);
    assert_string_equal(warnings(), "");
}

static void bsize_smaller_than_the_frame(void **state)
{
    m.bsize_256 = true;
    student_init();
    uint8_t f[300], got[BUFSZ];
    rig_inject(f, make_frame(f, sizeof f, 1));
    /* the student expected one descriptor a frame: it gets its first 256 bytes */
    assert_int_equal(student_recv(got), 256);
    assert_false(st.rx[0].status & E1000_RXD_STAT_EOP);
    assert_int_equal(student_recv(got), sizeof f - 256);
    assert_string_equal(warnings(), "");
}

/* ---- the driver that gets everything right ---- */

static void a_correct_driver_draws_no_warning(void **state)
{
    student_init();
    uint8_t f[60], got[BUFSZ];
    for (unsigned i = 0; i < 3 * N; i++) {
        student_send(f, make_frame(f, sizeof f, i));
        settle();
        rig_inject(f, make_frame(f, sizeof f, i));
        assert_int_equal(student_recv(got), sizeof f);
        settle();
    }
    assert_int_equal(rig_sent_count(), 3 * N);
    assert_string_equal(warnings(), "");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    static const struct CMUnitTest made[] = {
        T(rctl_en_left_off), T(rdh_equal_to_rdt_at_start), T(tdt_one_past_the_end),
        T(bsex_with_bsize_zero), T(rs_left_off), T(descriptor_reused_before_dd),
        T(ring_lapped_before_dd), T(status_read_right_after_tdt),
        T(rdt_handed_back_before_the_copy), T(rdt_moved_onto_rdh), T(secrc_unset_keeps_the_fcs),
        T(bsize_smaller_than_the_frame), T(a_correct_driver_draws_no_warning),
    };
    enum { NMADE = sizeof made / sizeof made[0], NSEEN = sizeof seen / sizeof seen[0] };
    struct CMUnitTest tests[NSEEN + NMADE];
    for (size_t i = 0; i < NSEEN; i++)
        tests[i] = (struct CMUnitTest){ seen[i].name, warns, setup, teardown, (void *)&seen[i] };
    memcpy(tests + NSEEN, made, sizeof made);
    return cmocka_run_group_tests_name("e1000_mistakes", tests, NULL, NULL);
}
