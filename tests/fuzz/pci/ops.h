/* The PCI target's input: an opcode byte (modulo P_OPS) and its
 * arguments, in this order. gen/gen_corpus.c writes seeds this way. */
#ifndef TESTS_FUZZ_PCI_OPS_H
#define TESTS_FUZZ_PCI_OPS_H

enum pci_op {
    P_ADDR,     /* width u8 (0-2: 1/2/4 bytes, bits 2-3 offset), sel u8, dev u8, reg u8, [raw u32] */
    P_READ,     /* width u8 */
    P_WRITE,    /* width u8, value u32 */
    P_DIRECT,   /* dev u8, reg u8, width u8, value u32: firmware's write */
    P_SIZE,     /* bar u8: the sizing protocol through mechanism #1 */
    P_IRQ,      /* how u8: raise or clear a cause in the e1000 */
    P_DMA,      /* addr u32, write u8 */
    P_BAR,      /* access u8, offset u16, value u32: through the e1000's BARs */
    P_OPS
};

/* P_ADDR sel: bit 0 enable, bit 1 a bus other than 0, bit 2 a function
 * other than 0, bit 3 raw value follows */
#endif
