/*
 * `info e1000`: the device's registers and both rings as the device sees
 * them, for a person comparing them with what their driver believes.
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

static void print_tx(FILE *out, const uint8_t raw[E1000_DESC_SIZE])
{
    struct e1000_tx_desc d;
    memcpy(&d, raw, sizeof d);
    fprintf(out, "addr 0x%llx len %u cmd 0x%02x ", (unsigned long long)d.buffer_addr, d.length,
            d.cmd);
    bits(out, d.cmd, tx_cmd_bits);
    fprintf(out, " sta 0x%x%s", d.status, d.status & E1000_TXD_STAT_DD ? " (DD)" : "");
}

static void print_rx(FILE *out, const uint8_t raw[E1000_DESC_SIZE])
{
    struct e1000_rx_desc d;
    memcpy(&d, raw, sizeof d);
    fprintf(out, "addr 0x%llx len %u sta 0x%02x ", (unsigned long long)d.buffer_addr, d.length,
            d.status);
    bits(out, d.status, rx_sta_bits);
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

void e1000_info(struct e1000 *e, FILE *out)
{
    fprintf(out, "e1000 %02x:%02x.%x MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
            0, PCI_SLOT(e->pci.devfn), PCI_FUNC(e->pci.devfn), e->mac[0], e->mac[1],
            e->mac[2], e->mac[3], e->mac[4], e->mac[5], e->link_up ? "up" : "down");
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        uint32_t v = shown[i].reg == E1000_STATUS ? e1000_reg_read(e, E1000_STATUS)
                                                  : R(e, shown[i].reg);
        fprintf(out, "  %-7s 0x%08x%s", shown[i].name, v, i % 4 == 3 ? "\n" : "");
    }
    if ((sizeof shown / sizeof shown[0]) % 4)
        fputc('\n', out);
    for (size_t i = 0; i < sizeof rings / sizeof rings[0]; i++)
        show_ring(e, &rings[i], out);
}
