/* Port I/O: IN and OUT with an imm8 or DX port (SDM Vol. 2). Whether
 * x86_run comes back after one, so that the machine can deliver an
 * interrupt the device raised, is the bus's call (x86_request_stop). */
#include "cpu/interp/exec.h"
#include "cpu/interp/sys_internal.h"

static inline unsigned io_size(const struct x86_insn *d)
{
    return d->size == 1 ? 1 : d->opsize == 2 ? 2 : 4;
}

static inline uint16_t io_port(const struct x86_cpu *c, const struct x86_insn *d)
{
    return (d->op & 8) ? (uint16_t)c->r[X86_RDX] : (uint16_t)(d->imm & 0xff);
}

/* E4, E5 imm8; EC, ED DX */
void x86_op_in(struct x86_cpu *c, struct x86_insn *d)
{
    uint16_t port = io_port(c, d);
    unsigned size = io_size(d);
    x86_check_io(c, port, size);
    uint64_t v = c->bus.io_in ? c->bus.io_in(c->bus.opaque, port, size) : ~0ull;
    x86_device_accessed(c);
    x86_reg_set(c, d, X86_RAX, size, v);
}

/* E6, E7 imm8; EE, EF DX */
void x86_op_out(struct x86_cpu *c, struct x86_insn *d)
{
    uint16_t port = io_port(c, d);
    unsigned size = io_size(d);
    x86_check_io(c, port, size);
    if (c->bus.io_out)
        c->bus.io_out(c->bus.opaque, port, c->r[X86_RAX] & x86_size_mask(size), size);
    x86_device_accessed(c);
}
