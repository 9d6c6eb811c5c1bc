/* E_TX_DESC: one transmit descriptor of any kind written into the ring
 * the harness laid out, its fields from the input. Buffer addresses lean
 * towards the packet area so that gathers find real data. */
#include <string.h>
#include "harness.h"
#include "ops.h"

static uint64_t buffer_addr(struct input *in)
{
    uint8_t how = in_u8(in);
    if (how & 0x80)
        return in_u64(in);
    return PKT + (in_u16(in) & 0xffff);
}

void op_tx_desc(struct input *in)
{
    unsigned idx = in_u8(in);
    uint8_t d[16];
    memset(d, 0, sizeof d);
    switch (in_u8(in) % TXD_KINDS) {
    case TXD_LEGACY: {
        struct e1000_tx_desc t = { .buffer_addr = buffer_addr(in) };
        t.length = in_u16(in) % 4096;
        t.cso = in_u8(in);
        t.cmd = in_u8(in) & (uint8_t)~E1000_TXD_CMD_DEXT;
        t.css = in_u8(in);
        memcpy(d, &t, sizeof t);
        break;
    }
    case TXD_CONTEXT: {
        struct e1000_context_desc c;
        c.ipcss = in_u8(in);
        c.ipcso = in_u8(in);
        c.ipcse = in_u16(in);
        c.tucss = in_u8(in);
        c.tucso = in_u8(in);
        c.tucse = in_u16(in);
        c.cmd_and_length = (in_u32(in) & 0xff0fffffu) | E1000_TXD_DTYP_C | E1000_TXD_DCMD_DEXT;
        c.status = 0;
        c.hdr_len = in_u8(in);
        c.mss = in_u16(in);
        memcpy(d, &c, sizeof c);
        break;
    }
    case TXD_DATA: {
        struct e1000_data_desc t = { .buffer_addr = buffer_addr(in) };
        t.lower = in_u16(in) | E1000_TXD_DTYP_D | E1000_TXD_DCMD_DEXT |
                  (uint32_t)in_u8(in) << 24;
        t.popts = in_u8(in);
        memcpy(d, &t, sizeof t);
        break;
    }
    default:
        in_bytes(in, d, sizeof d);
        break;
    }
    memcpy(H.rig.ram + TXR + (idx % 256) * E1000_DESC_SIZE, d, sizeof d);
}
