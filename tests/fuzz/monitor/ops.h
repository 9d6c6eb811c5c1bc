/* The monitor target's input: an opcode byte (modulo MO_OPS) and its
 * arguments. gen/gen_corpus.c writes seeds this way. */
#ifndef TESTS_FUZZ_MONITOR_OPS_H
#define TESTS_FUZZ_MONITOR_OPS_H

enum monitor_op {
    MO_COMMAND, /* which u8, decoration u8, [extra: len u8, bytes]: a command as typed */
    MO_RAW,     /* len u16, bytes: any line */
    MO_REG,     /* sel u8, value u32: an e1000 register, so `info e1000` shows rings */
    MO_PCI,     /* which u8, value u32: the e1000's command register or BARs */
    MO_RAM,     /* addr u32, len u8, bytes */
    MO_OPS
};

/* MO_COMMAND decoration bits */
#define DECO_LEAD   0x01    /* leading blanks */
#define DECO_TRAIL  0x02    /* trailing blanks */
#define DECO_CRLF   0x04    /* "\r\n" at the end */
#define DECO_TABS   0x08    /* tabs between words */
#define DECO_EXTRA  0x10    /* an argument appended */

#endif
