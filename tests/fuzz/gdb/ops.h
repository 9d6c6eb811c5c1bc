/* The gdb target's input: an opcode byte (modulo G_OPS) and its
 * arguments. gen/gen_corpus.c writes seeds this way. */
#ifndef TESTS_FUZZ_GDB_OPS_H
#define TESTS_FUZZ_GDB_OPS_H

enum gdb_op {
    G_RAW,      /* len u8, bytes: fed to the receiver as they come off the socket */
    G_PACKET,   /* cmd u8, then the command's arguments (packets.c): framed right */
    G_RAM,      /* addr u32, len u8, bytes: guest memory (page tables, code) */
    G_STOP,     /* vector u8, pc u64, dr6 u8: the vcpu stops for the debugger */
    G_OPS
};

/* G_PACKET commands */
enum {
    GP_QUERY_STOP, GP_READ_REGS, GP_WRITE_REGS, GP_READ_REG, GP_WRITE_REG, GP_READ_MEM,
    GP_WRITE_MEM, GP_WRITE_BIN, GP_CONT, GP_CONT_SIG, GP_BREAK, GP_UNBREAK, GP_VCONT,
    GP_QSUPPORTED, GP_QXFER, GP_QMISC, GP_RCMD, GP_NOACK, GP_THREAD, GP_DETACH, GP_KILL,
    GP_ANY, GP_CMDS
};

#endif
