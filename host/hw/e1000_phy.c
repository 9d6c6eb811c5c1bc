/*
 * The PHY behind MDIC, an M88E1011 as on QEMU's e1000, at PHY address 1:
 * control, status (link, autonegotiation complete), the identifier,
 * autonegotiation advertisement and link partner ability, the 1000BASE-T
 * registers, and loopback (control bit 14, IEEE 802.3 22.2.4.1.2): what
 * the MAC transmits comes back to its receiver, the cable is neither
 * driven nor listened to, and the link is up. MDIC operations complete at
 * once; an access to another PHY address or to a register the PHY lacks
 * sets MDIC.ERROR.
 */
#include "hw/e1000_internal.h"

static const uint16_t phy_reset_values[32] = {
    [PHY_CTRL] = MII_CR_AUTONEG_EN | MII_CR_FULL_DUPLEX | MII_CR_SPEED_1000,
    [PHY_STATUS] = MII_SR_EXT_CAPS | MII_SR_AUTONEG_CAPS | MII_SR_PREAMBLE_SUPP |
                   MII_SR_EXT_STATUS | MII_SR_10T_HD | MII_SR_10T_FD | MII_SR_100X_HD |
                   MII_SR_100X_FD,
    [PHY_ID1] = M88E1011_PHY_ID1,
    [PHY_ID2] = M88E1011_PHY_ID2,
    [PHY_AUTONEG_ADV] = 0x0de1,     /* 10/100 half and full, pause, 802.3 */
    [PHY_LP_ABILITY] = 0,
    [PHY_1000T_CTRL] = 0x0e00,      /* 1000BASE-T full and half advertised */
    [PHY_1000T_STATUS] = 0,
    [PHY_EXT_STATUS] = 0x3000,      /* 1000BASE-T full and half capable */
};

/* registers the PHY implements */
static const uint32_t phy_present = 1u << PHY_CTRL | 1u << PHY_STATUS | 1u << PHY_ID1 |
    1u << PHY_ID2 | 1u << PHY_AUTONEG_ADV | 1u << PHY_LP_ABILITY | 1u << PHY_AUTONEG_EXP |
    1u << PHY_1000T_CTRL | 1u << PHY_1000T_STATUS | 1u << PHY_EXT_STATUS |
    0xffff0000u;    /* 16-31: vendor specific, kept as written */

bool e1000dev_phy_loopback(const struct e1000 *e)
{
    return e->phy[PHY_CTRL] & MII_CR_LOOPBACK;
}

/* up: the cable's link. In loopback the PHY is linked to itself (at the
 * speed control forces; autonegotiation is not run) whatever the cable. */
void e1000dev_phy_link(struct e1000 *e, bool up)
{
    uint16_t *p = e->phy;
    if (e1000dev_phy_loopback(e)) {
        p[PHY_STATUS] |= MII_SR_LINK_STATUS;
        p[PHY_STATUS] &= (uint16_t)~MII_SR_AUTONEG_COMPLETE;
        p[PHY_LP_ABILITY] = 0;
        p[PHY_1000T_STATUS] = 0;
    } else if (up) {
        p[PHY_STATUS] |= MII_SR_LINK_STATUS | MII_SR_AUTONEG_COMPLETE;
        p[PHY_LP_ABILITY] = 0x45e0;      /* partner: 10/100 full/half, pause */
        p[PHY_1000T_STATUS] = 0x3c00;    /* partner 1000BASE-T full/half */
    } else {
        p[PHY_STATUS] &= (uint16_t)~(MII_SR_LINK_STATUS | MII_SR_AUTONEG_COMPLETE);
        p[PHY_LP_ABILITY] = 0;
        p[PHY_1000T_STATUS] = 0;
    }
}

void e1000dev_phy_reset(struct e1000 *e)
{
    for (int i = 0; i < 32; i++)
        e->phy[i] = phy_reset_values[i];
    e1000dev_phy_link(e, e->link_up);
}

static void phy_write(struct e1000 *e, unsigned reg, uint16_t v)
{
    switch (reg) {
    case PHY_CTRL:
        if (v & MII_CR_RESET) {
            e1000dev_phy_reset(e);          /* self-clearing */
            return;
        }
        /* restarting autonegotiation finishes at once: the partner is there */
        e->phy[PHY_CTRL] = v & (uint16_t)~MII_CR_RESTART_AUTONEG;
        e1000dev_phy_link(e, e->link_up);
        return;
    case PHY_STATUS:
    case PHY_ID1:
    case PHY_ID2:
    case PHY_LP_ABILITY:
    case PHY_AUTONEG_EXP:
    case PHY_1000T_STATUS:
    case PHY_EXT_STATUS:
        return;                           /* read-only */
    default:
        e->phy[reg] = v;
    }
}

uint32_t e1000dev_mdic_write(struct e1000 *e, uint32_t v)
{
    unsigned phy = (v & E1000_MDIC_PHY_MASK) >> E1000_MDIC_PHY_SHIFT;
    unsigned reg = (v & E1000_MDIC_REG_MASK) >> E1000_MDIC_REG_SHIFT;
    uint32_t op = v & (3u << 26);
    uint32_t out = (v & ~(E1000_MDIC_READY | E1000_MDIC_ERROR)) | E1000_MDIC_READY;
    if (phy != E1000_PHY_ADDR || !(phy_present & (1u << reg)) ||
        (op != E1000_MDIC_OP_READ && op != E1000_MDIC_OP_WRITE)) {
        log_warn_rl(&e->rl, "e1000: MDIC %s of PHY %u register %u: %s; ERROR set",
                    op == E1000_MDIC_OP_WRITE ? "write" : "read", phy, reg,
                    phy != E1000_PHY_ADDR ? "no PHY at that address (the PHY is at 1)"
                    : (op != E1000_MDIC_OP_READ && op != E1000_MDIC_OP_WRITE)
                        ? "opcode is neither read nor write"
                        : "the PHY has no such register");
        out |= E1000_MDIC_ERROR;
    } else if (op == E1000_MDIC_OP_READ) {
        out = (out & ~E1000_MDIC_DATA_MASK) | e->phy[reg];
    } else {
        phy_write(e, reg, (uint16_t)v);
    }
    if (v & E1000_MDIC_INT_EN)
        e1000dev_raise(e, E1000_ICR_MDAC);
    return out;
}
