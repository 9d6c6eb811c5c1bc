/*
 * `info e1000`: the device's registers, the fields that matter decoded
 * by the manual's names (TCTL.EN, RCTL.BSIZE, ...), bus mastering, and
 * both rings as the device sees them, for a person comparing them with
 * what their driver believes.
 * Registers are read from the register file directly, so reading ICR or
 * the statistics here clears nothing; descriptors are read from guest
 * memory where the base registers point.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "hw/e1000_internal.h"


static const struct { uint32_t reg; const char *name; } shown[] = {
    { E1000_CTRL, "CTRL" }, { E1000_STATUS, "STATUS" }, { E1000_ICR, "ICR" },
    { E1000_IMS, "IMS" }, { E1000_RCTL, "RCTL" }, { E1000_TCTL, "TCTL" },
    { E1000_RDTR, "RDTR" }, { E1000_RADV, "RADV" }, { E1000_TIDV, "TIDV" },
    { E1000_TADV, "TADV" }, { E1000_ITR, "ITR" }, { E1000_RXCSUM, "RXCSUM" },
    { E1000_GPRC, "GPRC" }, { E1000_GPTC, "GPTC" }, { E1000_MPC, "MPC" },
    { E1000_RNBC, "RNBC" },
};

/* Register fields by the manual's names (13.4): a one-bit flag, or a
 * field printed as NAME=value through its table of values or as a
 * number. */
struct field {
    const char *name;
    uint32_t mask;
    const char *const *values;      /* NULL: a flag (mask one bit) or a number */
    bool number;
};

#define FLAG(n, m) { n, m, NULL, false }
#define ENUM(n, m, v) { n, m, v, false }
#define NUM(n, m) { n, m, NULL, true }
#define END { NULL, 0, NULL, false }

static const char *const speeds[4] = { "10", "100", "1000", "1000" };
static const char *const rdmts[4] = { "1/2", "1/4", "1/8", "reserved" };

static const struct field ctrl_fields[] = {
    FLAG("FD", E1000_CTRL_FD), FLAG("LRST", E1000_CTRL_LRST), FLAG("ASDE", E1000_CTRL_ASDE),
    FLAG("SLU", E1000_CTRL_SLU), FLAG("ILOS", E1000_CTRL_ILOS),
    ENUM("SPEED", E1000_CTRL_SPD_MASK, speeds), FLAG("FRCSPD", E1000_CTRL_FRCSPD),
    FLAG("FRCDPLX", E1000_CTRL_FRCDPLX), FLAG("RST", E1000_CTRL_RST), FLAG("RFCE", E1000_CTRL_RFCE),
    FLAG("TFCE", E1000_CTRL_TFCE), FLAG("VME", E1000_CTRL_VME), FLAG("PHY_RST", E1000_CTRL_PHY_RST),
    END,
};

static const struct field status_fields[] = {
    FLAG("FD", E1000_STATUS_FD), FLAG("LU", E1000_STATUS_LU), FLAG("TXOFF", E1000_STATUS_TXOFF),
    FLAG("TBIMODE", E1000_STATUS_TBIMODE), ENUM("SPEED", E1000_STATUS_SPEED_MASK, speeds),
    FLAG("PCI66", E1000_STATUS_PCI66), FLAG("BUS64", E1000_STATUS_BUS64), END,
};

static const struct field cause_fields[] = {
    FLAG("TXDW", E1000_ICR_TXDW), FLAG("TXQE", E1000_ICR_TXQE), FLAG("LSC", E1000_ICR_LSC),
    FLAG("RXSEQ", E1000_ICR_RXSEQ), FLAG("RXDMT0", E1000_ICR_RXDMT0), FLAG("RXO", E1000_ICR_RXO),
    FLAG("RXT0", E1000_ICR_RXT0), FLAG("MDAC", E1000_ICR_MDAC), FLAG("RXCFG", E1000_ICR_RXCFG),
    FLAG("TXD_LOW", E1000_ICR_TXD_LOW), FLAG("SRPD", E1000_ICR_SRPD),
    FLAG("INT_ASSERTED", E1000_ICR_INT_ASSERTED), END,
};

/* (BSIZE is printed in bytes, with BSEX, by rctl_bsize) */
static const struct field rctl_fields[] = {
    FLAG("EN", E1000_RCTL_EN), FLAG("SBP", E1000_RCTL_SBP), FLAG("UPE", E1000_RCTL_UPE),
    FLAG("MPE", E1000_RCTL_MPE), FLAG("LPE", E1000_RCTL_LPE), NUM("LBM", E1000_RCTL_LBM_MASK),
    ENUM("RDMTS", E1000_RCTL_RDMTS_MASK, rdmts), NUM("MO", E1000_RCTL_MO_MASK),
    FLAG("BAM", E1000_RCTL_BAM), FLAG("VFE", E1000_RCTL_VFE), FLAG("BSEX", E1000_RCTL_BSEX),
    FLAG("SECRC", E1000_RCTL_SECRC), END,
};

static const struct field tctl_fields[] = {
    FLAG("EN", E1000_TCTL_EN), FLAG("PSP", E1000_TCTL_PSP), NUM("CT", E1000_TCTL_CT_MASK),
    NUM("COLD", E1000_TCTL_COLD_MASK), FLAG("RTLC", E1000_TCTL_RTLC), END,
};

static const struct field rxcsum_fields[] = {
    NUM("PCSS", E1000_RXCSUM_PCSS_MASK), FLAG("IPOFLD", E1000_RXCSUM_IPOFLD),
    FLAG("TUOFLD", E1000_RXCSUM_TUOFLD), END,
};

static unsigned shift_of(uint32_t mask)
{
    return (unsigned)__builtin_ctz(mask);
}

/* Returns how many fields it printed. */
static int fields(FILE *out, uint32_t v, const struct field *f)
{
    int n = 0;
    for (; f->name; f++) {
        uint32_t x = (v & f->mask) >> shift_of(f->mask);
        if (f->values)
            n += fprintf(out, " %s=%s", f->name, f->values[x]) > 0;
        else if (f->number && x)
            n += fprintf(out, " %s=0x%x", f->name, x) > 0;
        else if (!f->number && x)
            n += fprintf(out, " %s", f->name) > 0;
    }
    return n;
}

/* 13.4.22: BSIZE's meaning depends on BSEX; 00 with BSEX is reserved. */
static void rctl_bsize(FILE *out, uint32_t rctl)
{
    static const char *const sizes[2][4] = { { "2048", "1024", "512", "256" },
                                             { "reserved", "16384", "8192", "4096" } };
    fprintf(out, " BSIZE=%s", sizes[!!(rctl & E1000_RCTL_BSEX)]
                                   [(rctl & E1000_RCTL_BSIZE_MASK) >> 16]);
}

static void decoded(struct e1000 *e, FILE *out)
{
    static const struct { uint32_t reg; const char *name; const struct field *f; } regs[] = {
        { E1000_CTRL, "CTRL", ctrl_fields }, { E1000_STATUS, "STATUS", status_fields },
        { E1000_ICR, "ICR", cause_fields }, { E1000_IMS, "IMS", cause_fields },
        { E1000_RCTL, "RCTL", rctl_fields }, { E1000_TCTL, "TCTL", tctl_fields },
        { E1000_RXCSUM, "RXCSUM", rxcsum_fields },
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        uint32_t v = regs[i].reg == E1000_STATUS ? e1000dev_reg_read(e, E1000_STATUS)
                                                 : R(e, regs[i].reg);
        fprintf(out, "  %-6s", regs[i].name);
        int n = fields(out, v, regs[i].f);
        if (regs[i].reg == E1000_RCTL)
            rctl_bsize(out, v);
        else if (!n)
            fprintf(out, " -");
        fputc('\n', out);
    }
    uint16_t cmd = pci_get_word(e->pci.config + PCI_COMMAND);
    fprintf(out, "  PCI    COMMAND 0x%04x:%s%s%s%s\n", cmd,
            cmd & PCI_COMMAND_IO ? " IO" : "", cmd & PCI_COMMAND_MEMORY ? " MEM" : "",
            cmd & PCI_COMMAND_MASTER ? " BME" : " (bus mastering off: no DMA)",
            cmd & PCI_COMMAND_INTX_DISABLE ? " INTX_DISABLE" : "");
}

static const char *const tx_cmd_bits[8] = { "EOP", "IFCS", "IC", "RS", "RPS", "DEXT", "VLE", "IDE" };
static const char *const rx_sta_bits[8] = { "DD", "EOP", "IXSM", "VP", "", "TCPCS", "IPCS", "PIF" };

static void bits(FILE *out, unsigned v, const char *const names[8])
{
    const char *sep = "";
    fputc('(', out);
    for (int i = 0; i < 8; i++)
        if (v & (1u << i) && names[i][0]) {
            fprintf(out, "%s%s", sep, names[i]);
            sep = " ";
        }
    fputc(')', out);
}

/* Long rings show the descriptors near the head and near the tail. */
#define NEAR 6

static bool shown_desc(uint32_t i, uint32_t n, uint32_t head, uint32_t tail)
{
    if (n <= 4 * NEAR)
        return true;
    uint32_t dh = (i - head + n + NEAR) % n, dt = (i - tail + n + NEAR) % n;
    return dh < 2 * NEAR || dt < 2 * NEAR;
}

/* One ring's registers and the form of its descriptors. */
struct ring {
    const char *name, *head_name, *tail_name;
    uint32_t bal, bah, len, head, tail;
    void (*print)(FILE *out, const uint8_t d[E1000_DESC_SIZE]);
};

/* Both legacy descriptors begin with the buffer's address and length;
 * then the byte the reader looks at first, its bits by name: CMD for
 * transmit, STATUS for receive (8254x 3.2.3, 3.3.3). */
static void addr_len_byte(FILE *out, uint64_t addr, unsigned len, const char *name, unsigned v,
                          const char *const names[8])
{
    fprintf(out, "addr 0x%llx len %u %s 0x%02x ", (unsigned long long)addr, len, name, v);
    bits(out, v, names);
}

static void print_tx(FILE *out, const uint8_t raw[E1000_DESC_SIZE])
{
    struct e1000_tx_desc d;
    memcpy(&d, raw, sizeof d);
    addr_len_byte(out, d.buffer_addr, d.length, "cmd", d.cmd, tx_cmd_bits);
    fprintf(out, " sta 0x%x%s", d.status, d.status & E1000_TXD_STAT_DD ? " (DD)" : "");
}

static void print_rx(FILE *out, const uint8_t raw[E1000_DESC_SIZE])
{
    struct e1000_rx_desc d;
    memcpy(&d, raw, sizeof d);
    addr_len_byte(out, d.buffer_addr, d.length, "sta", d.status, rx_sta_bits);
    fprintf(out, " err 0x%02x", d.errors);
}

static const struct ring rings[] = {
    { "TX", "TDH", "TDT", E1000_TDBAL, E1000_TDBAH, E1000_TDLEN, E1000_TDH, E1000_TDT, print_tx },
    { "RX", "RDH", "RDT", E1000_RDBAL, E1000_RDBAH, E1000_RDLEN, E1000_RDH, E1000_RDT, print_rx },
};

static void show_ring(struct e1000 *e, const struct ring *r, FILE *out)
{
    uint64_t base = (uint64_t)R(e, r->bah) << 32 | R(e, r->bal);
    uint32_t n = R(e, r->len) / E1000_DESC_SIZE, head = R(e, r->head), tail = R(e, r->tail);
    fprintf(out, "%s ring: base 0x%llx, %u descriptors, %s %u, %s %u\n", r->name,
            (unsigned long long)base, n, r->head_name, head, r->tail_name, tail);
    bool gap = false;
    for (uint32_t i = 0; i < n && i < 4096; i++) {
        if (!shown_desc(i, n, head, tail)) {
            if (!gap)
                fprintf(out, "  ...\n");
            gap = true;
            continue;
        }
        gap = false;
        uint8_t d[E1000_DESC_SIZE];
        if (!pci_dma_read(&e->pci, base + (uint64_t)i * E1000_DESC_SIZE, d, sizeof d)) {
            fprintf(out, "  [%3u] not in RAM (or bus mastering off)\n", i);
            break;
        }
        fprintf(out, "  [%3u] ", i);
        r->print(out, d);
        if (i == head)
            fprintf(out, "  <- %s", r->head_name);
        if (i == tail)
            fprintf(out, "  <- %s", r->tail_name);
        fputc('\n', out);
    }
}

void e1000dev_info(struct e1000 *e, FILE *out)
{
    fprintf(out, "e1000 %02x:%02x.%x MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
            0, PCI_SLOT(e->pci.devfn), PCI_FUNC(e->pci.devfn), e->mac[0], e->mac[1],
            e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->link_up ? "up" : "down");
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        uint32_t v = shown[i].reg == E1000_STATUS ? e1000dev_reg_read(e, E1000_STATUS)
                                                  : R(e, shown[i].reg);
        fprintf(out, "  %-7s 0x%08x%s", shown[i].name, v, i % 4 == 3 ? "\n" : "");
    }
    if ((sizeof shown / sizeof shown[0]) % 4)
        fputc('\n', out);
    decoded(e, out);
    for (size_t i = 0; i < sizeof rings / sizeof rings[0]; i++)
        show_ring(e, &rings[i], out);
}
