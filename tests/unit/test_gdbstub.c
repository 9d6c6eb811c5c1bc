/* The stub's commands against a fake vcpu: every command parses its
 * arguments, malformed ones get an error reply, and nothing crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "core/log.h"
#include "debug/gdb_packet.h"
#include "debug/gdbstub.h"
#include "machine_ram.h"

static struct cpu_state fake_state;
static struct cpu_fpu fake_fpu;
static struct cpu_debug fake_debug;
static int fake_set_debug_calls, fake_kicks;
static int fake_get_state_rc, fake_get_fpu_rc;
static int fake_sets;                           /* set_state and set_fpu calls */

/* The backend's register calls; fake_get_*_rc nonzero: those fail. */
static int f_set_state(struct cpu *c, const struct cpu_state *s) { fake_state = *s; fake_sets++; return 0; }
static int f_set_fpu(struct cpu *c, const struct cpu_fpu *f) { fake_fpu = *f; fake_sets++; return 0; }

static int f_get_state(struct cpu *c, struct cpu_state *s)
{
    return fake_get_state_rc ? fake_get_state_rc : (*s = fake_state, 0);
}

static int f_get_fpu(struct cpu *c, struct cpu_fpu *f)
{
    return fake_get_fpu_rc ? fake_get_fpu_rc : (*f = fake_fpu, 0);
}

static void f_kick(struct cpu *c) { fake_kicks++; }
static void f_sync(struct cpu *c) { }
static int f_set_debug(struct cpu *c, const struct cpu_debug *d)
{
    fake_debug = *d;
    fake_set_debug_calls++;
    return 0;
}
static int fake_reinjects;
static int f_reinject(struct cpu *c) { fake_reinjects++; return 0; }

static const struct cpu_ops fake_ops = {
    .name = "fake", .hw_bps = CPU_HW_BPS, .set_state = f_set_state, .get_state = f_get_state,
    .set_fpu = f_set_fpu, .get_fpu = f_get_fpu, .kick = f_kick,
    .sync = f_sync, .set_debug = f_set_debug, .reinject_bp = f_reinject,
};

struct rig {
    struct machine m;
    uint8_t ram[1 << 16];
    struct gdbstub *g;
};

static int setup(void **state)
{
    static struct rig r;
    memset(&r, 0, sizeof r);
    machine_ram_init(&r.m, r.ram, sizeof r.ram, &fake_ops, &r);
    memset(&fake_state, 0, sizeof fake_state);
    memset(&fake_fpu, 0, sizeof fake_fpu);
    fake_get_state_rc = fake_get_fpu_rc = fake_sets = 0;
    fake_state.rip = 0x1000;
    fake_state.rax = 0xabcd;
    char why[256];
    r.g = gdbstub_open(&r.m, "tcp::0", why, sizeof why);
    /* port 0 is refused; use a high port the test owns */
    if (!r.g)
        r.g = gdbstub_open(&r.m, "tcp::47321", why, sizeof why);
    assert_non_null(r.g);
    *state = &r;
    return 0;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    gdbstub_close(r->g);
    return 0;
}

static const char *cmd(struct rig *r, const char *p)
{
    static char out[GDB_PACKET_MAX + 1];
    size_t n = gdbstub_handle(r->g, p, strlen(p), out, sizeof out - 1);
    if (n == (size_t)-1)
        return "<none>";
    out[n] = 0;
    return out;
}


static void registers(void **state)
{
    struct rig *r = *state;
    const char *g = cmd(r, "g");
    assert_true(strlen(g) > 16 * 16);
    assert_memory_equal(g, "cdab000000000000", 16);          /* rax */
    assert_string_equal(cmd(r, "p10"), "0010000000000000");  /* rip = reg 16 */
    assert_string_equal(cmd(r, "P10=0020000000000000"), "OK");
    assert_int_equal(fake_state.rip, 0x2000);
    assert_string_equal(cmd(r, "P10=00"), "E22");             /* short value */
    assert_string_equal(cmd(r, "P10"), "E22");
    assert_string_equal(cmd(r, "P999=00"), "E22");
    assert_string_equal(cmd(r, "pzz"), "E22");
    assert_string_equal(cmd(r, "p40000"), "E22");
    assert_string_equal(cmd(r, "Gzz"), "E22");
}

static void memory(void **state)
{
    struct rig *r = *state;
    memcpy(r->ram + 0x500, "\x11\x22\x33\x44", 4);
    assert_string_equal(cmd(r, "m500,4"), "11223344");
    assert_string_equal(cmd(r, "M500,2:aabb"), "OK");
    assert_int_equal(r->ram[0x500], 0xaa);
    assert_string_equal(cmd(r, "m500"), "E22");
    assert_string_equal(cmd(r, "m500,"), "E22");
    assert_string_equal(cmd(r, "M500,2:aa"), "E22");       /* too few bytes */
    assert_string_equal(cmd(r, "M500,1:zz"), "E22");
    assert_string_equal(cmd(r, "m500,100000"), "E22");     /* larger than a packet */
    assert_string_equal(cmd(r, "m20000,4"), "E14");        /* outside RAM */
    assert_string_equal(cmd(r, "mffffffffffffffff,4"), "E14");
    char x[] = "X600,2:\x01\x02";
    assert_int_equal(gdbstub_handle(r->g, x, sizeof x - 1, (char[8]){0}, 8), 2);
    assert_int_equal(r->ram[0x600], 1);
    assert_int_equal(r->ram[0x601], 2);
}

static void breakpoints(void **state)
{
    struct rig *r = *state;
    r->ram[0x700] = 0x90;
    assert_string_equal(cmd(r, "Z0,700,1"), "OK");
    assert_int_equal(r->ram[0x700], 0xcc);
    /* gdb reads the original byte, not our int3 */
    assert_string_equal(cmd(r, "m700,1"), "90");
    assert_string_equal(cmd(r, "z0,700,1"), "OK");
    assert_int_equal(r->ram[0x700], 0x90);
    assert_string_equal(cmd(r, "z0,700,1"), "E22");        /* not inserted */
    assert_string_equal(cmd(r, "Z0,30000,1"), "E22");      /* not RAM */
    assert_string_equal(cmd(r, "Z2,800,4"), "OK");
    assert_true(fake_debug.hw[0].on);
    assert_int_equal(fake_debug.hw[0].kind, CPU_BP_WRITE);
    assert_string_equal(cmd(r, "Z2,801,4"), "E22");        /* misaligned */
    assert_string_equal(cmd(r, "Z2,800,3"), "E22");        /* bad length */
    assert_string_equal(cmd(r, "z2,800,4"), "OK");
    assert_false(fake_debug.hw[0].on);
    /* read watchpoints: no debug-register form, but trapped pages do it */
    assert_string_equal(cmd(r, "Z3,800,4"), "OK");
    assert_int_equal(fake_debug.hw[0].kind, CPU_BP_READ);
    assert_string_equal(cmd(r, "z3,800,4"), "OK");
    assert_false(fake_debug.hw[0].on);
    for (int i = 0; i < 4; i++) {
        char p[32];
        snprintf(p, sizeof p, "Z1,%x,1", 0x900 + i);
        assert_string_equal(cmd(r, p), "OK");
    }
    assert_string_equal(cmd(r, "Z1,a00,1"), "E22");        /* only four */
    assert_string_equal(cmd(r, "Z9,0,1"), "E22");
    assert_string_equal(cmd(r, "Z0"), "E22");
}

/* With paging off cpu_translate keeps the low 32 bits, so 0x100000200
 * is another name for the byte at 0x200: one physical byte, two
 * virtual addresses, as a kernel's text and direct map have. */
#define ALIAS(a) "1000" a

/* A packet, its reply, then the byte at 0x200 in RAM (-1: not looked
 * at). */
struct step {
    const char *packet, *reply;
    int ram200;
};

static void run_steps(struct rig *r, const struct step *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(cmd(r, s[i].packet), s[i].reply);
        if (s[i].ram200 >= 0)
            assert_int_equal(r->ram[0x200], s[i].ram200);
    }
}
#define RUN_STEPS(r, steps) run_steps(r, steps, sizeof steps / sizeof steps[0])

/* Register packets and their replies while the backend gives the
 * registers: rax, rip and fctrl (from get_fpu) written and read back. */
static const struct {
    const char *packet, *reply;
} reg_packets[] = {
    { "G1122334455667788", "OK" },          /* rax alone */
    { "p0", "1122334455667788" },
    { "P10=0020000000000000", "OK" },
    { "p10", "0020000000000000" },
    { "P20=7f030000", "OK" },
    { "p20", "7f030000" },
};
#define NREG_PACKETS (sizeof reg_packets / sizeof reg_packets[0])

/* Registers the backend cannot give (get_state or get_fpu failing):
 * every register packet answers E01, and a write changes nothing, as
 * it would otherwise store values never read. */
static void registers_unreadable(void **state)
{
    struct rig *r = *state;
    int *fails[] = { &fake_get_state_rc, &fake_get_fpu_rc };
    for (size_t i = 0; i < sizeof fails / sizeof fails[0]; i++) {
        struct cpu_state s;
        struct cpu_fpu f;
        memcpy(&s, &fake_state, sizeof s);
        memcpy(&f, &fake_fpu, sizeof f);
        *fails[i] = -1;
        assert_string_equal(cmd(r, "g"), "E01");
        for (size_t k = 0; k < NREG_PACKETS; k++)
            assert_string_equal(cmd(r, reg_packets[k].packet), "E01");
        *fails[i] = 0;
        assert_int_equal(fake_sets, 0);
        assert_memory_equal(&fake_state, &s, sizeof s);
        assert_memory_equal(&fake_fpu, &f, sizeof f);
    }
    /* the same packets once the backend gives them again */
    assert_memory_equal(cmd(r, "g"), "cdab000000000000", 16);
    for (size_t k = 0; k < NREG_PACKETS; k++)
        assert_string_equal(cmd(r, reg_packets[k].packet), reg_packets[k].reply);
    assert_int_equal(fake_state.rax, 0x8877665544332211ull);
    assert_int_equal(fake_fpu.fctrl, 0x37f);
}

static void breakpoint_alias_read(void **state)
{
    static const struct step steps[] = {
        { "Z0,200,1", "OK", 0xcc },
        /* the int3 is hidden through either name, and inside a longer read */
        { "m" ALIAS("00200") ",1", "55", -1 },
        { "m" ALIAS("001ff") ",3", "005500", -1 },
        { "m200,1", "55", -1 },
    };
    struct rig *r = *state;
    r->ram[0x200] = 0x55;
    RUN_STEPS(r, steps);
}

static void breakpoint_alias_stray_int3(void **state)
{
    static const struct step steps[] = {
        { "Z0,200,1", "OK", -1 },
        { "Z0," ALIAS("00200") ",1", "OK", 0xcc },
        /* the first removal leaves the int3 for the other breakpoint */
        { "z0,200,1", "OK", 0xcc },
        { "m200,1", "55", -1 },
        { "z0," ALIAS("00200") ",1", "OK", 0x55 },
        /* the other order */
        { "Z0," ALIAS("00200") ",1", "OK", -1 },
        { "Z0,200,1", "OK", -1 },
        { "z0," ALIAS("00200") ",1", "OK", -1 },
        { "z0,200,1", "OK", 0x55 },
        { "z0,200,1", "E22", -1 },
        /* and by detaching */
        { "Z0,200,1", "OK", -1 },
        { "Z0," ALIAS("00200") ",1", "OK", -1 },
        { "D", "<none>", 0x55 },
    };
    struct rig *r = *state;
    r->ram[0x200] = 0x55;
    RUN_STEPS(r, steps);
}

static void breakpoint_alias_write(void **state)
{
    struct rig *r = *state;
    static const struct step steps[] = {
        { "Z0,200,1", "OK", -1 },
        /* a write through the other name changes the saved byte, not the int3 */
        { "M" ALIAS("00200") ",1:90", "OK", 0xcc },
        { "m200,1", "90", -1 },
    };
    r->ram[0x200] = 0x55;
    RUN_STEPS(r, steps);
    char x[] = "X" ALIAS("001ff") ",3:\x01\x02\x03";
    assert_int_equal(gdbstub_handle(r->g, x, sizeof x - 1, (char[8]){0}, 8), 2);
    assert_int_equal(r->ram[0x1ff], 1);
    assert_int_equal(r->ram[0x200], 0xcc);
    assert_int_equal(r->ram[0x201], 3);
    assert_string_equal(cmd(r, "m200,1"), "02");
    assert_string_equal(cmd(r, "z0,200,1"), "OK");
    assert_int_equal(r->ram[0x200], 0x02);
}

static void guest_int3_not_ours(void **state)
{
    struct rig *r = *state;
    struct cpu_debug_exit e = { .vector = 3, .pc = 0x300 };
    r->ram[0x300] = 0xcc;
    fake_reinjects = 0;
    gdbstub_debug_exit(r->g, &e);
    assert_int_equal(fake_reinjects, 1);
    /* ours at another byte: still the guest's */
    assert_string_equal(cmd(r, "Z0,200,1"), "OK");
    gdbstub_debug_exit(r->g, &e);
    assert_int_equal(fake_reinjects, 2);
}

/* The int3 met through an address gdb did not break at: the instruction
 * under it runs, and the guest goes on; gdb hears nothing. */
static void breakpoint_alias_hit_steps_over(void **state)
{
    struct rig *r = *state;
    r->ram[0x200] = 0x90;
    assert_string_equal(cmd(r, "Z0,200,1"), "OK");
    r->m.paused = true;
    assert_string_equal(cmd(r, "c"), "<none>");
    assert_false(r->m.paused);
    fake_reinjects = 0;
    struct cpu_debug_exit bp = { .vector = 3, .pc = 0x100000200ull };
    gdbstub_debug_exit(r->g, &bp);
    assert_int_equal(fake_reinjects, 0);            /* not the guest's */
    assert_false(r->m.paused);                      /* not a stop */
    assert_int_equal(r->ram[0x200], 0x90);          /* the instruction, for one step */
    assert_true(fake_debug.single_step);
    assert_true(gdbstub_has_breakpoint(r->g, 0x100000200ull));
    struct cpu_debug_exit step = { .vector = 1 };
    gdbstub_debug_exit(r->g, &step);
    assert_int_equal(r->ram[0x200], 0xcc);          /* back */
    assert_false(fake_debug.single_step);
    assert_false(r->m.paused);
    /* through gdb's own address it stops */
    bp.pc = 0x200;
    gdbstub_debug_exit(r->g, &bp);
    assert_true(r->m.paused);
    assert_int_equal(r->ram[0x200], 0xcc);
    /* a step gdb asked for, meeting the alias: one instruction, then a stop */
    r->m.paused = true;
    assert_string_equal(cmd(r, "s"), "<none>");
    bp.pc = 0x100000200ull;
    gdbstub_debug_exit(r->g, &bp);
    assert_false(r->m.paused);
    assert_int_equal(r->ram[0x200], 0x90);
    gdbstub_debug_exit(r->g, &step);
    assert_true(r->m.paused);
    assert_int_equal(r->ram[0x200], 0xcc);
    /* a guest int3 under our breakpoint, met in the step over it: the guest's */
    assert_string_equal(cmd(r, "z0,200,1"), "OK");
    r->ram[0x200] = 0xcc;
    assert_string_equal(cmd(r, "Z0,200,1"), "OK");
    r->m.paused = true;
    assert_string_equal(cmd(r, "c"), "<none>");
    gdbstub_debug_exit(r->g, &bp);                  /* alias: step over */
    assert_int_equal(fake_reinjects, 0);
    gdbstub_debug_exit(r->g, &bp);                  /* the guest's own int3 runs */
    assert_int_equal(fake_reinjects, 1);
    gdbstub_debug_exit(r->g, &step);                /* its handler's first step */
    assert_false(r->m.paused);
    assert_false(fake_debug.single_step);
}

static void queries(void **state)
{
    struct rig *r = *state;
    assert_non_null(strstr(cmd(r, "qSupported:multiprocess+;swbreak+"), "qXfer:features:read+"));
    const char *x = cmd(r, "qXfer:features:read:target.xml:0,40");
    assert_int_equal(x[0], 'm');
    assert_int_equal(strlen(x), 1 + 0x40);
    assert_string_equal(cmd(r, "qXfer:features:read:target.xml:100000,40"), "l");
    assert_string_equal(cmd(r, "qXfer:features:read:target.xml:zz"), "E22");
    static const struct step steps[] = {
        { "qAttached", "1", -1 },
        { "qfThreadInfo", "m1", -1 },
        { "qsThreadInfo", "l", -1 },
        { "qC", "QC1", -1 },
        { "qUnknownThing", "", -1 },
        { "vMustReplyEmpty", "", -1 },
        { "vCont?", "vCont;c;C;s;S", -1 },
        { "vCont;x", "E22", -1 },
        { "?", "T05thread:01;", -1 },
        { "Hg0", "OK", -1 },
        { "qRcmd,7", "E22", -1 },           /* odd hex */
        { "qRcmd,zz", "E22", -1 },          /* not hex */
        { "qRcmd,7a", "OK", -1 },           /* "z": output, then OK */
        { "", "", -1 },
        { "\x7f", "", -1 },
    };
    RUN_STEPS(r, steps);
}

static void continue_and_step(void **state)
{
    struct rig *r = *state;
    r->m.paused = true;
    assert_string_equal(cmd(r, "s"), "<none>");
    assert_true(fake_debug.single_step);
    assert_false(r->m.paused);
    r->m.paused = true;
    assert_string_equal(cmd(r, "c3000"), "<none>");
    assert_false(fake_debug.single_step);
    assert_int_equal(fake_state.rip, 0x3000);
    assert_string_equal(cmd(r, "cxyz"), "E22");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(registers), T(registers_unreadable), T(memory), T(breakpoints), T(breakpoint_alias_read),
        T(breakpoint_alias_stray_int3), T(breakpoint_alias_write), T(guest_int3_not_ours),
        T(breakpoint_alias_hit_steps_over), T(queries), T(continue_and_step),
    };
    return cmocka_run_group_tests_name("gdbstub", tests, NULL, NULL);
}
