/* A gdb watchpoint on memory a device writes by DMA: the overlap rule,
 * and, through a real stub on a socket, the stop reply gdb gets when a
 * bus master writes the watched bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "core/log.h"
#include "debug/dma_watch.h"
#include "debug/gdb_packet.h"
#include "debug/gdbstub.h"
#include "hw/pci.h"
#include "machine_ram.h"

/* ---- which watchpoint a write touches ---- */

static bool identity(void *opaque, uint64_t va, uint64_t *pa)
{
    *pa = va;
    return true;
}

/* linear = physical + 0x100000, and nothing mapped at 0x9000 */
static bool offset(void *opaque, uint64_t va, uint64_t *pa)
{
    if (va == 0x9000)
        return false;
    *pa = va - 0x100000;
    return true;
}

static void overlap_and_kinds(void **state)
{
    struct cpu_debug d = { 0 };
    d.hw[1] = (struct cpu_hw_bp){ true, CPU_BP_WRITE, 4, 0x2000 };
    assert_int_equal(dma_watch_hit(&d, 4, 0x2000, 1, identity, NULL), 1);
    assert_int_equal(dma_watch_hit(&d, 4, 0x1ff0, 16, identity, NULL), -1);  /* ends before */
    assert_int_equal(dma_watch_hit(&d, 4, 0x1ff1, 16, identity, NULL), 1);   /* last byte */
    assert_int_equal(dma_watch_hit(&d, 4, 0x2003, 1, identity, NULL), 1);
    assert_int_equal(dma_watch_hit(&d, 4, 0x2004, 64, identity, NULL), -1);
    assert_int_equal(dma_watch_hit(&d, 1, 0x2000, 1, identity, NULL), -1);   /* slot not armed */
    /* a read watchpoint does not see a write; an access one does */
    d.hw[1].kind = CPU_BP_READ;
    assert_int_equal(dma_watch_hit(&d, 4, 0x2000, 4, identity, NULL), -1);
    d.hw[1].kind = CPU_BP_ACCESS;
    assert_int_equal(dma_watch_hit(&d, 4, 0x2000, 4, identity, NULL), 1);
    d.hw[1].kind = CPU_BP_EXEC;
    assert_int_equal(dma_watch_hit(&d, 4, 0x2000, 4, identity, NULL), -1);
    /* watchpoints are linear addresses; DMA is physical */
    d.hw[1] = (struct cpu_hw_bp){ true, CPU_BP_WRITE, 8, 0x102000 };
    d.hw[2] = (struct cpu_hw_bp){ true, CPU_BP_WRITE, 8, 0x9000 };
    assert_int_equal(dma_watch_hit(&d, 4, 0x2004, 2, offset, NULL), 1);
    assert_int_equal(dma_watch_hit(&d, 4, 0x102000, 8, offset, NULL), -1);
    assert_int_equal(dma_watch_hit(&d, 4, 0x9000, 8, offset, NULL), -1);    /* unmapped */
}

/* ---- end to end: gdb, the stub, a device writing ---- */

static struct cpu_state fake_state;
static int f_set_state(struct cpu *c, const struct cpu_state *s) { fake_state = *s; return 0; }
static int f_get_state(struct cpu *c, struct cpu_state *s) { *s = fake_state; return 0; }
static void f_kick(struct cpu *c) { }
static void f_sync(struct cpu *c) { }
static int f_set_debug(struct cpu *c, const struct cpu_debug *d) { return 0; }
static int f_reinject(struct cpu *c) { return 0; }

static const struct cpu_ops fake_ops = {
    .name = "fake", .hw_bps = CPU_HW_BPS, .set_state = f_set_state, .get_state = f_get_state,
    .kick = f_kick, .sync = f_sync, .set_debug = f_set_debug, .reinject_bp = f_reinject,
};

static struct {
    struct machine m;
    uint8_t ram[1 << 16];
    struct region pci_mem, io;
    struct address_space io_as;
    struct pci_bus bus;
    struct pci_device dev;
    int fd;
} r;

static void serve(void)
{
    for (int i = 0; i < 20; i++)
        loop_wait(&r.m.loop, 1000000);
}

static void send_packet(const char *payload)
{
    unsigned sum = 0;
    for (const char *p = payload; *p; p++)
        sum += (unsigned char)*p;
    char frame[256];
    int n = snprintf(frame, sizeof frame, "$%s#%02x", payload, sum & 0xff);
    assert_int_equal(write(r.fd, frame, (size_t)n), n);
    serve();
}

/* What the stub sent since the last call, acks included. */
static const char *received(void)
{
    static char buf[1024];
    size_t len = 0;
    struct pollfd p = { .fd = r.fd, .events = POLLIN };
    while (len < sizeof buf - 1 && poll(&p, 1, 50) > 0) {
        ssize_t n = read(r.fd, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = 0;
    return buf;
}

static int stub_setup(void **state)
{
    memset(&r, 0, sizeof r);
    machine_ram_init(&r.m, r.ram, sizeof r.ram, &fake_ops, &r);
    memset(&fake_state, 0, sizeof fake_state);
    fake_state.rip = 0x1234;                  /* paging off: linear is physical */
    char why[256];
    r.m.gdb = gdbstub_open(&r.m, "tcp::47343", why, sizeof why);
    assert_non_null(r.m.gdb);
    /* a bus master on a bus whose writes are watched, as machine.c wires it */
    region_init_container(&r.pci_mem, "pci", UINT64_MAX);
    region_init_container(&r.io, "io", 0x10000);
    address_space_init(&r.io_as, "I/O", &r.io);
    pci_bus_init(&r.bus, "pci.0", &r.pci_mem, &r.io, &r.m.mem_as);
    r.bus.dma_written = dma_watch_written;
    r.bus.dma_opaque = &r.m;
    assert_int_equal(pci_device_init(&r.dev, &r.bus, PCI_DEVFN(3, 0), "nic", 0x8086, 0x100e,
                                     0x0200, 0, PCI_HEADER_TYPE_NORMAL), 0);
    pci_firmware_set_command(&r.dev, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    r.fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;                              /* as gdb: no Nagle delay between packets */
    setsockopt(r.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(47343),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(connect(r.fd, (struct sockaddr *)&sa, sizeof sa), 0);
    serve();                                  /* accepted: the machine stops */
    assert_true(r.m.paused);
    return 0;
}

static int stub_teardown(void **state)
{
    close(r.fd);
    serve();
    gdbstub_close(r.m.gdb);
    return 0;
}

static void device_write_stops_gdb(void **state)
{
    send_packet("Z2,2000,4");                 /* watch *(int *)0x2000 */
    assert_string_equal(received(), "+$OK#9a");
    assert_int_equal(write(r.fd, "+", 1), 1);
    uint8_t desc[16] = { 0 };
    /* while gdb holds the machine, a device's write stops nothing */
    assert_true(pci_dma_write(&r.dev, 0x2000, desc, sizeof desc));
    send_packet("c");
    assert_false(r.m.paused);
    assert_string_equal(received(), "+");
    /* a write elsewhere runs on; one over the watched bytes stops */
    assert_true(pci_dma_write(&r.dev, 0x1ff0, desc, 16));
    assert_false(r.m.paused);
    desc[12] = 1;                             /* a descriptor's DD, written back */
    assert_true(pci_dma_write(&r.dev, 0x1ff4, desc, 16));
    assert_true(r.m.paused);
    const char *reply = "T05thread:01;watch:2000;";
    char want[64];
    unsigned sum = 0;
    for (const char *p = reply; *p; p++)
        sum += (unsigned char)*p;
    snprintf(want, sizeof want, "$%s#%02x", reply, sum & 0xff);
    assert_string_equal(received(), want);
    assert_int_equal(r.ram[0x2000], 1);       /* the write landed first */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlap_and_kinds),
        cmocka_unit_test_setup_teardown(device_write_stops_gdb, stub_setup, stub_teardown),
    };
    return cmocka_run_group_tests_name("dma_watch", tests, NULL, NULL);
}
