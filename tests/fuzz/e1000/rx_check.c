/*
 * E_RX_SETUP lays out a receive ring with a buffer for each descriptor;
 * E_RX_FRAME puts a frame on the wire. When the frame goes straight
 * into that ring (nothing waiting in the FIFO before it), the harness
 * reads it back: the descriptors from the old RDH on hold its bytes in
 * order, full buffers but the last, DD on each, EOP on the last only,
 * and the checksum status tells the truth (8254x manual 3.2.9): IPE
 * exactly when the IP header checksum is wrong, TCPE exactly when the
 * TCP/UDP one is.
 */
#include <string.h>
#include "check.h"
#include "csum.h"
#include "harness.h"
#include "ops.h"

size_t rx_buffer_size(uint32_t rctl)
{
    static const size_t sizes[2][4] = { { 2048, 1024, 512, 256 }, { 2048, 16384, 8192, 4096 } };
    return sizes[!!(rctl & E1000_RCTL_BSEX)][(rctl & E1000_RCTL_BSIZE_MASK) >> 16];
}

void op_rx_setup(struct input *in)
{
    unsigned n = (in_u8(in) % 32 + 1) * 8;
    uint8_t f1 = in_u8(in), f2 = in_u8(in), back = in_u8(in);
    uint32_t rdtr = in_u8(in), radv = in_u8(in);
    uint8_t f3 = in_u8(in);
    uint32_t rctl = E1000_RCTL_EN | (uint32_t)(f1 >> 6) << 16;
    if (f1 & 0x01) rctl |= E1000_RCTL_BAM;
    if (f1 & 0x02) rctl |= E1000_RCTL_UPE;
    if (f1 & 0x04) rctl |= E1000_RCTL_MPE;
    if (f1 & 0x08) rctl |= E1000_RCTL_LPE;
    if (f1 & 0x10) rctl |= E1000_RCTL_SBP;
    if (f1 & 0x20) rctl |= E1000_RCTL_BSEX;
    if (f2 & 0x01) rctl |= E1000_RCTL_LBM_MAC;
    rctl |= (uint32_t)(f2 >> 3 & 3) << 8 | (uint32_t)(f2 >> 5 & 3) << E1000_RCTL_MO_SHIFT;
    if (f2 & 0x80)
        rctl &= ~E1000_RCTL_EN;
    if (f3 & 0x01)
        rctl |= E1000_RCTL_SECRC;
    size_t bufsize = rx_buffer_size(rctl);
    while (n > 8 && n * bufsize > RXBUF_SIZE)
        n -= 8;
    for (unsigned i = 0; i < n; i++) {
        struct e1000_rx_desc d = { .buffer_addr = RXBUF + i * bufsize };
        memcpy(H.rig.ram + RXR + i * E1000_DESC_SIZE, &d, sizeof d);
    }
    wr(E1000_RCTL, 0);
    wr(E1000_RDBAL, RXR);
    wr(E1000_RDBAH, 0);
    wr(E1000_RDLEN, n * E1000_DESC_SIZE);
    wr(E1000_RDH, 0);
    wr(E1000_RDT, n - 1 - back % n);
    wr(E1000_RXCSUM, (f2 & 0x02 ? E1000_RXCSUM_IPOFLD : 0) | (f2 & 0x04 ? E1000_RXCSUM_TUOFLD : 0));
    wr(E1000_RDTR, rdtr);
    wr(E1000_RADV, radv);
    wr(E1000_IMS, E1000_ICR_VALID_MASK);
    wr(E1000_RCTL, rctl);
    settle();
    H.rx.on = true;
    H.rx.n = n;
    H.rx.bufsize = bufsize;
}

static uint8_t frame[20000 + 4];

/* The Ethernet FCS (IEEE 802.3 CRC-32), bit by bit. */
static uint32_t crc32(const uint8_t *p, size_t len)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? c >> 1 ^ 0xedb88320u : c >> 1;
    }
    return ~c;
}

/* An IPv4 packet filling the frame: header and TCP/UDP checksums right
 * unless the kind asks otherwise. */
static void ipv4(uint8_t kind, size_t len)
{
    uint8_t *ip = frame + 14, *l4 = ip + 20;
    wbe16(frame + 12, 0x0800);
    if (len < 14 + 20)
        return;
    size_t total = len - 14 > 0xffff ? 0xffff : len - 14;
    bool udp = kind & RXF_UDP;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    wbe16(ip + 2, (uint16_t)total);
    wbe16(ip + 6, kind & RXF_FRAG ? 0x2000 : 0x4000);
    ip[8] = 64;
    ip[9] = udp ? 17 : 6;
    wbe32(ip + 12, 0x0a000202);
    wbe32(ip + 16, 0x0a00020f);
    wbe16(ip + 10, (uint16_t)~oc_sum(ip, 20, 0));
    if (kind & RXF_BAD_IP)
        ip[10] ^= 0x40;
    size_t l4len = total - 20, field = udp ? 6 : 16;
    if (l4len < field + 2)
        return;
    if (udp)
        wbe16(l4 + 4, (uint16_t)l4len);
    else
        l4[12] = 5 << 4;
    l4[field] = l4[field + 1] = 0;
    uint16_t c = (uint16_t)~oc_sum(l4, l4len, pseudo_sum(ip, l4len));
    wbe16(l4 + field, c ? c : 0xffff);
    if (kind & RXF_BAD_L4)
        l4[field + 1] ^= 0x01;
}

/* What the descriptors' status must say of the frame's checksums. */
static void check_csum_status(uint8_t status, uint8_t errors, size_t len)
{
    uint32_t rxcsum = reg(E1000_RXCSUM);
    if (!(rxcsum & (E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD))) {
        FUZZ_CHECK(!(status & (E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS)),
                   "checksum status 0x%02x with receive offload off", status);
        return;
    }
    const uint8_t *ip = frame + 14;
    size_t ihl = len >= 34 ? (size_t)(ip[0] & 15) * 4 : 0, total = len >= 34 ? be16(ip + 2) : 0;
    bool ipv4_ok = len >= 34 && be16(frame + 12) == 0x0800 && ip[0] >> 4 == 4 && ihl >= 20 &&
                   total >= ihl && 14 + total <= len;
    if (status & E1000_RXD_STAT_IPCS) {
        FUZZ_CHECK(ipv4_ok, "IPCS for a frame without a whole IPv4 header");
        FUZZ_CHECK(!!(errors & E1000_RXD_ERR_IPE) == !oc_ok(ip, ihl, 0),
                   "IPE %d for an IP header checksum that is %s", !!(errors & E1000_RXD_ERR_IPE),
                   oc_ok(ip, ihl, 0) ? "right" : "wrong");
    }
    if (status & E1000_RXD_STAT_TCPCS) {
        FUZZ_CHECK(ipv4_ok && (ip[9] == 6 || ip[9] == 17), "TCPCS for a frame without TCP/UDP");
        size_t l4len = total - ihl;
        bool ok = oc_ok(ip + ihl, l4len, pseudo_sum(ip, l4len));
        FUZZ_CHECK(!!(errors & E1000_RXD_ERR_TCPE) == !ok,
                   "TCPE %d for a %s checksum that is %s", !!(errors & E1000_RXD_ERR_TCPE),
                   ip[9] == 6 ? "TCP" : "UDP", ok ? "right" : "wrong");
    }
}

/* The frame just delivered lies in the descriptors from head on, with
 * its FCS after it unless RCTL.SECRC (8254x 13.4.22). */
static void check_delivery(uint32_t head, size_t flen)
{
    unsigned n = H.rx.n;
    size_t len = flen;
    if (!(reg(E1000_RCTL) & E1000_RCTL_SECRC)) {
        uint32_t fcs = crc32(frame, flen);
        for (int i = 0; i < 4; i++)
            frame[len++] = (uint8_t)(fcs >> (8 * i));
    }
    size_t bs = H.rx.bufsize, need = (len + bs - 1) / bs;
    FUZZ_CHECK(reg(E1000_RDH) == (head + need) % n, "RDH %u after a %zu-byte frame from %u",
               reg(E1000_RDH), len, head);
    size_t off = 0;
    for (size_t k = 0; k < need; k++) {
        unsigned idx = (unsigned)((head + k) % n);
        struct e1000_rx_desc d;
        memcpy(&d, H.rig.ram + RXR + idx * E1000_DESC_SIZE, sizeof d);
        if (d.buffer_addr != RXBUF + idx * bs)
            return;                 /* the fuzzer rewrote the ring: no oracle */
        bool last = k + 1 == need;
        size_t chunk = last ? len - off : bs;
        FUZZ_CHECK(d.status & E1000_RXD_STAT_DD, "descriptor %u without DD", idx);
        FUZZ_CHECK(!!(d.status & E1000_RXD_STAT_EOP) == last, "descriptor %u: EOP %d", idx,
                   !!(d.status & E1000_RXD_STAT_EOP));
        FUZZ_CHECK(d.length == chunk, "descriptor %u: length %u, not %zu", idx, d.length, chunk);
        FUZZ_CHECK(memcmp(H.rig.ram + d.buffer_addr, frame + off, chunk) == 0,
                   "descriptor %u: its buffer does not hold frame bytes %zu-%zu", idx, off,
                   off + chunk);
        if (last)
            check_csum_status(d.status, d.errors, flen);
        off += chunk;
    }
}

void op_rx_frame(struct input *in)
{
    uint8_t kind = in_u8(in);
    size_t len = in_u16(in) % (sizeof frame - 4);
    static const uint8_t ours[6] = E1000_DEFAULT_MAC;
    uint8_t dst[6];
    switch (kind & 3) {
    case 0: memcpy(dst, ours, 6); break;
    case 1: memset(dst, 0xff, 6); break;
    case 2: dst[0] = 0x01; dst[1] = 0x00; dst[2] = 0x5e; in_bytes(in, dst + 3, 3); break;
    default: memset(dst, 0, 6); in_bytes(in, dst, 6); break;
    }
    size_t got = in_bytes(in, frame, len < 64 ? len : 64);
    for (size_t i = got; i < len; i++)
        frame[i] = (uint8_t)(i * 13 + kind);
    if (len >= 6)
        memcpy(frame, dst, 6);
    if (len >= 14 && (kind & RXF_IPV4))
        ipv4(kind, len);

    struct e1000 *e = nic();
    size_t bytes;
    bool fifo_empty = e1000dev_rx_waiting(e, &bytes) == 0;
    uint32_t head = reg(E1000_RDH), gprc = reg(E1000_GPRC);
    net_send(&H.peer, frame, len);
    bool delivered = reg(E1000_GPRC) == gprc + 1;
    bool canonical = H.rx.on && reg(E1000_RDBAL) == RXR && reg(E1000_RDBAH) == 0 &&
                     reg(E1000_RDLEN) == H.rx.n * E1000_DESC_SIZE && head < H.rx.n &&
                     rx_buffer_size(reg(E1000_RCTL)) == H.rx.bufsize && master_on();
    fuzz_trace("RX frame of %zu bytes: %s%s", len, delivered ? "delivered" : "not delivered",
               delivered && fifo_empty && canonical ? ", checked" : "");
    if (delivered && fifo_empty && canonical)
        check_delivery(head, len);
}
