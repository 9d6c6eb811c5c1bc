/*
 * The Intel 82540EM ("e1000") as both sides use it: register offsets,
 * bits and fields, the EEPROM and PHY, and the descriptor layouts, named
 * after Intel's PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 * Developer's Manual (8254x). Both pcemu's device model and the guest's
 * driver include this file, so a wrong value here is wrong on both sides:
 * the QEMU run of the guest is what catches that.
 */
#ifndef CONTRACT_E1000_H
#define CONTRACT_E1000_H

#include <stdint.h>

/* ---- register offsets in BAR0 (and through IOADDR/IODATA) ---- */
#define E1000_CTRL      0x00000   /* device control */
#define E1000_STATUS    0x00008   /* device status (read only) */
#define E1000_EECD      0x00010   /* EEPROM/flash control */
#define E1000_EERD      0x00014   /* EEPROM read */
#define E1000_CTRL_EXT  0x00018   /* extended device control */
#define E1000_FLA       0x0001c   /* flash access */
#define E1000_MDIC      0x00020   /* MDI control */
#define E1000_FCAL      0x00028   /* flow control address low */
#define E1000_FCAH      0x0002c   /* flow control address high */
#define E1000_FCT       0x00030   /* flow control type */
#define E1000_VET       0x00038   /* VLAN ether type */
#define E1000_ICR       0x000c0   /* interrupt cause read (clears on read) */
#define E1000_ITR       0x000c4   /* interrupt throttling */
#define E1000_ICS       0x000c8   /* interrupt cause set */
#define E1000_IMS       0x000d0   /* interrupt mask set/read */
#define E1000_IMC       0x000d8   /* interrupt mask clear */
#define E1000_RCTL      0x00100   /* receive control */
#define E1000_FCTTV     0x00170   /* flow control transmit timer value */
#define E1000_TXCW      0x00178   /* transmit configuration word */
#define E1000_RXCW      0x00180   /* receive configuration word */
#define E1000_TCTL      0x00400   /* transmit control */
#define E1000_TIPG      0x00410   /* transmit inter-packet gap */
#define E1000_LEDCTL    0x00e00   /* LED control */
#define E1000_PBA       0x01000   /* packet buffer allocation */
#define E1000_FCRTL     0x02160   /* flow control receive threshold low */
#define E1000_FCRTH     0x02168   /* flow control receive threshold high */
#define E1000_RDBAL     0x02800   /* RX descriptor base low */
#define E1000_RDBAH     0x02804   /* RX descriptor base high */
#define E1000_RDLEN     0x02808   /* RX descriptor ring length, bytes */
#define E1000_RDH       0x02810   /* RX descriptor head */
#define E1000_RDT       0x02818   /* RX descriptor tail */
#define E1000_RDTR      0x02820   /* RX delay timer */
#define E1000_RXDCTL    0x02828   /* RX descriptor control */
#define E1000_RADV      0x0282c   /* RX interrupt absolute delay */
#define E1000_RSRPD     0x02c00   /* RX small packet detect */
#define E1000_TDBAL     0x03800   /* TX descriptor base low */
#define E1000_TDBAH     0x03804   /* TX descriptor base high */
#define E1000_TDLEN     0x03808   /* TX descriptor ring length, bytes */
#define E1000_TDH       0x03810   /* TX descriptor head */
#define E1000_TDT       0x03818   /* TX descriptor tail */
#define E1000_TIDV      0x03820   /* TX interrupt delay value */
#define E1000_TXDCTL    0x03828   /* TX descriptor control */
#define E1000_TADV      0x0382c   /* TX interrupt absolute delay */
#define E1000_TSPMT     0x03830   /* TCP segmentation pad and minimum threshold */
#define E1000_RXCSUM    0x05000   /* RX checksum control */
#define E1000_MTA       0x05200   /* multicast table array, 128 dwords */
#define E1000_MTA_SIZE  128
#define E1000_RAL(n)    (0x05400 + 8 * (n))   /* receive address low */
#define E1000_RAH(n)    (0x05404 + 8 * (n))   /* receive address high */
#define E1000_RAR_ENTRIES 16
#define E1000_VFTA      0x05600   /* VLAN filter table array, 128 dwords */
#define E1000_WUC       0x05800   /* wake-up control */
#define E1000_WUFC      0x05808   /* wake-up filter control */
#define E1000_WUS       0x05810   /* wake-up status */
#define E1000_MANC      0x05820   /* management control */

/* statistics: read to clear; 64-bit counters are low/high pairs */
#define E1000_CRCERRS   0x04000   /* CRC error count */
#define E1000_SYMERRS   0x04008   /* symbol error count */
#define E1000_MPC       0x04010   /* missed packets count */
#define E1000_COLC      0x04028   /* collision count */
#define E1000_RLEC      0x04040   /* receive length error count */
#define E1000_PRC64     0x0405c   /* packets received, 64 bytes */
#define E1000_PRC127    0x04060
#define E1000_PRC255    0x04064
#define E1000_PRC511    0x04068
#define E1000_PRC1023   0x0406c
#define E1000_PRC1522   0x04070
#define E1000_GPRC      0x04074   /* good packets received */
#define E1000_BPRC      0x04078   /* broadcast packets received */
#define E1000_MPRC      0x0407c   /* multicast packets received */
#define E1000_GPTC      0x04080   /* good packets transmitted */
#define E1000_GORCL     0x04088   /* good octets received, low */
#define E1000_GORCH     0x0408c
#define E1000_GOTCL     0x04090   /* good octets transmitted, low */
#define E1000_GOTCH     0x04094
#define E1000_RNBC      0x040a0   /* receive no buffers count */
#define E1000_RUC       0x040a4   /* receive undersize count */
#define E1000_RFC       0x040a8   /* receive fragment count */
#define E1000_ROC       0x040ac   /* receive oversize count */
#define E1000_TORL      0x040c0   /* total octets received, low */
#define E1000_TORH      0x040c4
#define E1000_TOTL      0x040c8   /* total octets transmitted, low */
#define E1000_TOTH      0x040cc
#define E1000_TPR       0x040d0   /* total packets received */
#define E1000_TPT       0x040d4   /* total packets transmitted */
#define E1000_PTC64     0x040d8
#define E1000_PTC1522   0x040ec
#define E1000_MPTC      0x040f0   /* multicast packets transmitted */
#define E1000_BPTC      0x040f4   /* broadcast packets transmitted */
#define E1000_TSCTC     0x040f8   /* TCP segmentation context transmitted */
#define E1000_TSCTFC    0x040fc   /* TCP segmentation context tx fail */
#define E1000_STATS_FIRST 0x04000
#define E1000_STATS_LAST  0x040fc

/* the I/O BAR: an address register and a data window onto the above */
#define E1000_IOADDR    0x00
#define E1000_IODATA    0x04

/* ---- CTRL ---- */
#define E1000_CTRL_FD       (1u << 0)    /* full duplex */
#define E1000_CTRL_LRST     (1u << 3)    /* link reset */
#define E1000_CTRL_ASDE     (1u << 5)    /* auto-speed detection enable */
#define E1000_CTRL_SLU      (1u << 6)    /* set link up */
#define E1000_CTRL_ILOS     (1u << 7)    /* invert loss of signal */
#define E1000_CTRL_SPD_MASK (3u << 8)
#define E1000_CTRL_SPD_10   (0u << 8)
#define E1000_CTRL_SPD_100  (1u << 8)
#define E1000_CTRL_SPD_1000 (2u << 8)
#define E1000_CTRL_FRCSPD   (1u << 11)
#define E1000_CTRL_FRCDPLX  (1u << 12)
#define E1000_CTRL_RST      (1u << 26)   /* device reset, self-clearing */
#define E1000_CTRL_RFCE     (1u << 27)
#define E1000_CTRL_TFCE     (1u << 28)
#define E1000_CTRL_VME      (1u << 30)
#define E1000_CTRL_PHY_RST  (1u << 31)

/* ---- STATUS ---- */
#define E1000_STATUS_FD         (1u << 0)
#define E1000_STATUS_LU         (1u << 1)
#define E1000_STATUS_TXOFF      (1u << 4)
#define E1000_STATUS_TBIMODE    (1u << 5)
#define E1000_STATUS_SPEED_MASK (3u << 6)
#define E1000_STATUS_SPEED_10   (0u << 6)
#define E1000_STATUS_SPEED_100  (1u << 6)
#define E1000_STATUS_SPEED_1000 (2u << 6)
#define E1000_STATUS_ASDV_MASK  (3u << 8)
#define E1000_STATUS_ASDV_1000  (2u << 8)
#define E1000_STATUS_PCI66      (1u << 11)
#define E1000_STATUS_BUS64      (1u << 12)

/* ---- EECD: the Microwire EEPROM, bit-banged ---- */
#define E1000_EECD_SK       (1u << 0)    /* clock */
#define E1000_EECD_CS       (1u << 1)    /* chip select */
#define E1000_EECD_DI       (1u << 2)    /* data into the EEPROM */
#define E1000_EECD_DO       (1u << 3)    /* data out of the EEPROM */
#define E1000_EECD_FWE_MASK (3u << 4)
#define E1000_EECD_REQ      (1u << 6)    /* software requests direct access */
#define E1000_EECD_GNT      (1u << 7)    /* ... and is granted it */
#define E1000_EECD_PRES     (1u << 8)    /* EEPROM present */
#define E1000_EECD_SIZE     (1u << 9)    /* 0: 64 words (93C46) */
#define E1000_EEPROM_READ_OPCODE 0x6     /* Microwire READ: 1 1 0 */
#define E1000_EEPROM_ADDR_BITS   6

/* ---- EERD (82540 layout) ---- */
#define E1000_EERD_START      (1u << 0)
#define E1000_EERD_DONE       (1u << 4)
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_ADDR_MASK  (0xffu << 8)
#define E1000_EERD_DATA_SHIFT 16

/* ---- EEPROM words ---- */
#define E1000_EEPROM_WORDS       64
#define E1000_EEPROM_MAC         0x00     /* words 0-2 */
#define E1000_EEPROM_INIT_CTRL1  0x0a
#define E1000_EEPROM_SUBSYS_ID   0x0b
#define E1000_EEPROM_SUBSYS_VEN  0x0c
#define E1000_EEPROM_DEVICE_ID   0x0d
#define E1000_EEPROM_VENDOR_ID   0x0e
#define E1000_EEPROM_INIT_CTRL2  0x0f
#define E1000_EEPROM_CHECKSUM    0x3f
#define E1000_EEPROM_SUM         0xbaba   /* words 0x00-0x3f add up to this */
/* The MAC the EEPROM holds unless -device e1000,mac= says otherwise
 * (QEMU's default too). */
#define E1000_DEFAULT_MAC        { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }

/* ---- MDIC and the PHY ---- */
#define E1000_MDIC_DATA_MASK  0xffffu
#define E1000_MDIC_REG_SHIFT  16
#define E1000_MDIC_REG_MASK   (0x1fu << 16)
#define E1000_MDIC_PHY_SHIFT  21
#define E1000_MDIC_PHY_MASK   (0x1fu << 21)
#define E1000_MDIC_OP_WRITE   (1u << 26)
#define E1000_MDIC_OP_READ    (2u << 26)
#define E1000_MDIC_READY      (1u << 28)
#define E1000_MDIC_INT_EN     (1u << 29)
#define E1000_MDIC_ERROR      (1u << 30)

#define E1000_PHY_ADDR        1        /* where the 82540's PHY answers */
#define PHY_CTRL              0x00
#define PHY_STATUS            0x01
#define PHY_ID1               0x02
#define PHY_ID2               0x03
#define PHY_AUTONEG_ADV       0x04
#define PHY_LP_ABILITY        0x05
#define PHY_AUTONEG_EXP       0x06
#define PHY_1000T_CTRL        0x09
#define PHY_1000T_STATUS      0x0a
#define PHY_EXT_STATUS        0x0f
#define M88E1011_PHY_ID1      0x0141   /* the PHY QEMU's e1000 reports */
#define M88E1011_PHY_ID2      0x0c20

#define MII_CR_SPEED_1000     (1u << 6)
#define MII_CR_FULL_DUPLEX    (1u << 8)
#define MII_CR_RESTART_AUTONEG (1u << 9)
#define MII_CR_ISOLATE        (1u << 10)
#define MII_CR_POWER_DOWN     (1u << 11)
#define MII_CR_AUTONEG_EN     (1u << 12)
#define MII_CR_SPEED_100      (1u << 13)
#define MII_CR_LOOPBACK       (1u << 14)
#define MII_CR_RESET          (1u << 15)
#define MII_SR_EXT_CAPS       (1u << 0)
#define MII_SR_LINK_STATUS    (1u << 2)
#define MII_SR_AUTONEG_CAPS   (1u << 3)
#define MII_SR_AUTONEG_COMPLETE (1u << 5)
#define MII_SR_PREAMBLE_SUPP  (1u << 6)
#define MII_SR_EXT_STATUS     (1u << 8)
#define MII_SR_10T_HD         (1u << 11)
#define MII_SR_10T_FD         (1u << 12)
#define MII_SR_100X_HD        (1u << 13)
#define MII_SR_100X_FD        (1u << 14)

/* ---- interrupt causes: ICR, ICS, IMS, IMC ---- */
#define E1000_ICR_TXDW      (1u << 0)    /* transmit descriptor written back */
#define E1000_ICR_TXQE      (1u << 1)    /* transmit queue empty */
#define E1000_ICR_LSC       (1u << 2)    /* link status change */
#define E1000_ICR_RXSEQ     (1u << 3)
#define E1000_ICR_RXDMT0    (1u << 4)    /* RX descriptors below threshold */
#define E1000_ICR_RXO       (1u << 6)    /* receiver overrun */
#define E1000_ICR_RXT0      (1u << 7)    /* receiver timer */
#define E1000_ICR_MDAC      (1u << 9)    /* MDI access complete */
#define E1000_ICR_RXCFG     (1u << 10)
#define E1000_ICR_TXD_LOW   (1u << 15)
#define E1000_ICR_SRPD      (1u << 16)
#define E1000_ICR_INT_ASSERTED (1u << 31)
#define E1000_ICR_VALID_MASK 0x0001f6dfu /* causes an 82540 can raise */

/* ---- RCTL ---- */
#define E1000_RCTL_EN        (1u << 1)
#define E1000_RCTL_SBP       (1u << 2)   /* store bad packets */
#define E1000_RCTL_UPE       (1u << 3)   /* unicast promiscuous */
#define E1000_RCTL_MPE       (1u << 4)   /* multicast promiscuous */
#define E1000_RCTL_LPE       (1u << 5)   /* long packets */
#define E1000_RCTL_LBM_MASK  (3u << 6)
#define E1000_RCTL_LBM_MAC   (1u << 6)
#define E1000_RCTL_RDMTS_MASK (3u << 8)
#define E1000_RCTL_RDMTS_HALF (0u << 8)
#define E1000_RCTL_RDMTS_QUARTER (1u << 8)
#define E1000_RCTL_RDMTS_EIGHTH (2u << 8)
#define E1000_RCTL_MO_MASK   (3u << 12)
#define E1000_RCTL_MO_SHIFT  12
#define E1000_RCTL_BAM       (1u << 15)  /* broadcast accept */
#define E1000_RCTL_BSIZE_MASK (3u << 16)
#define E1000_RCTL_BSIZE_2048 (0u << 16)
#define E1000_RCTL_BSIZE_1024 (1u << 16)
#define E1000_RCTL_BSIZE_512 (2u << 16)
#define E1000_RCTL_BSIZE_256 (3u << 16)
#define E1000_RCTL_VFE       (1u << 18)
#define E1000_RCTL_BSEX      (1u << 25)  /* buffer sizes times 16 */
#define E1000_RCTL_SECRC     (1u << 26)  /* strip CRC */

/* ---- TCTL, TIPG ---- */
#define E1000_TCTL_EN        (1u << 1)
#define E1000_TCTL_PSP       (1u << 3)   /* pad short packets */
#define E1000_TCTL_CT_SHIFT  4
#define E1000_TCTL_CT_MASK   (0xffu << 4)
#define E1000_TCTL_COLD_SHIFT 12
#define E1000_TCTL_COLD_MASK (0x3ffu << 12)
#define E1000_TCTL_RTLC      (1u << 24)
#define E1000_TIPG_IPGT_COPPER 10

/* ---- RAH, RXCSUM ---- */
#define E1000_RAH_ASEL_MASK  (3u << 16)
#define E1000_RAH_AV         (1u << 31)  /* address valid */
#define E1000_RXCSUM_PCSS_MASK 0xffu
#define E1000_RXCSUM_IPOFLD  (1u << 8)
#define E1000_RXCSUM_TUOFLD  (1u << 9)

/* ---- descriptors ---- */
/* legacy receive descriptor */
struct e1000_rx_desc {
    uint64_t buffer_addr;
    uint16_t length;
    uint16_t csum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_rx_desc) == 16, "e1000_rx_desc layout");

#define E1000_RXD_STAT_DD    (1u << 0)   /* descriptor done */
#define E1000_RXD_STAT_EOP   (1u << 1)   /* end of packet */
#define E1000_RXD_STAT_IXSM  (1u << 2)   /* ignore checksum indication */
#define E1000_RXD_STAT_VP    (1u << 3)
#define E1000_RXD_STAT_TCPCS (1u << 5)   /* TCP/UDP checksum calculated */
#define E1000_RXD_STAT_IPCS  (1u << 6)   /* IP checksum calculated */
#define E1000_RXD_STAT_PIF   (1u << 7)
#define E1000_RXD_ERR_CE     (1u << 0)
#define E1000_RXD_ERR_SE     (1u << 1)
#define E1000_RXD_ERR_SEQ    (1u << 2)
#define E1000_RXD_ERR_CXE    (1u << 4)
#define E1000_RXD_ERR_TCPE   (1u << 5)
#define E1000_RXD_ERR_IPE    (1u << 6)
#define E1000_RXD_ERR_RXE    (1u << 7)

/* legacy transmit descriptor */
struct e1000_tx_desc {
    uint64_t buffer_addr;
    uint16_t length;
    uint8_t cso;        /* checksum offset */
    uint8_t cmd;
    uint8_t status;
    uint8_t css;        /* checksum start */
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_tx_desc) == 16, "e1000_tx_desc layout");

#define E1000_TXD_CMD_EOP    (1u << 0)   /* end of packet */
#define E1000_TXD_CMD_IFCS   (1u << 1)   /* insert FCS */
#define E1000_TXD_CMD_IC     (1u << 2)   /* insert checksum (legacy) */
#define E1000_TXD_CMD_RS     (1u << 3)   /* report status */
#define E1000_TXD_CMD_RPS    (1u << 4)
#define E1000_TXD_CMD_DEXT   (1u << 5)   /* extended descriptor */
#define E1000_TXD_CMD_VLE    (1u << 6)
#define E1000_TXD_CMD_IDE    (1u << 7)   /* interrupt delay enable */
#define E1000_TXD_STAT_DD    (1u << 0)
#define E1000_TXD_STAT_EC    (1u << 1)
#define E1000_TXD_STAT_LC    (1u << 2)
#define E1000_TXD_STAT_TU    (1u << 3)

/* TCP/IP context descriptor (DEXT set, DTYP 0) */
struct e1000_context_desc {
    uint8_t ipcss;      /* IP checksum start */
    uint8_t ipcso;      /* IP checksum offset */
    uint16_t ipcse;     /* IP checksum end (0: to the end of the packet) */
    uint8_t tucss;      /* TCP/UDP checksum start */
    uint8_t tucso;      /* TCP/UDP checksum offset */
    uint16_t tucse;     /* TCP/UDP checksum end */
    uint32_t cmd_and_length;   /* PAYLEN 19:0, DTYP 23:20, TUCMD 31:24 */
    uint8_t status;
    uint8_t hdr_len;
    uint16_t mss;
};
_Static_assert(sizeof(struct e1000_context_desc) == 16, "e1000_context_desc layout");

/* TCP/IP data descriptor (DEXT set, DTYP 1) */
struct e1000_data_desc {
    uint64_t buffer_addr;
    uint32_t lower;     /* DTALEN 19:0, DTYP 23:20, DCMD 31:24 */
    uint8_t status;
    uint8_t popts;
    uint16_t special;
};
_Static_assert(sizeof(struct e1000_data_desc) == 16, "e1000_data_desc layout");

#define E1000_TXD_LEN_MASK   0x000fffffu
#define E1000_TXD_DTYP_MASK  0x00f00000u
#define E1000_TXD_DTYP_C     0x00000000u   /* context */
#define E1000_TXD_DTYP_D     0x00100000u   /* data */
/* TUCMD (context) and DCMD (data), as bits of the 32-bit dword */
#define E1000_TXD_CMD_TCP    0x01000000u   /* TUCMD: TCP (else UDP) */
#define E1000_TXD_CMD_IP     0x02000000u   /* TUCMD: IPv4 (else IPv6) */
#define E1000_TXD_CMD_TSE    0x04000000u   /* TCP segmentation enable */
#define E1000_TXD_DCMD_EOP   0x01000000u
#define E1000_TXD_DCMD_IFCS  0x02000000u
#define E1000_TXD_DCMD_TSE   0x04000000u
#define E1000_TXD_DCMD_RS    0x08000000u
#define E1000_TXD_DCMD_DEXT  0x20000000u
#define E1000_TXD_DCMD_VLE   0x40000000u
#define E1000_TXD_DCMD_IDE   0x80000000u
#define E1000_TXD_POPTS_IXSM (1u << 0)     /* insert IP checksum */
#define E1000_TXD_POPTS_TXSM (1u << 1)     /* insert TCP/UDP checksum */

/* all descriptor rings are multiples of 128 bytes (8 descriptors) */
#define E1000_RING_ALIGN     128
#define E1000_DESC_SIZE      16

#endif
