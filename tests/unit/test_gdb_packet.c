/* GDB remote protocol framing: checksums, escapes, acks, interrupts,
 * malformed and oversized input; and the stub's command parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "debug/gdb_packet.h"
#include "debug/gdb_target.h"

static enum gdb_rx_event feed(struct gdb_rx *rx, const char *s, size_t n)
{
    enum gdb_rx_event last = GDB_RX_NONE;
    for (size_t i = 0; i < n; i++) {
        enum gdb_rx_event e = gdb_rx_byte(rx, (uint8_t)s[i]);
        if (e != GDB_RX_NONE)
            last = e;
    }
    return last;
}

static void good_packet(void **state)
{
    struct gdb_rx rx;
    gdb_rx_init(&rx);
    const char *p = "$qSupported#37";
    assert_int_equal(feed(&rx, p, strlen(p)), GDB_RX_PACKET);
    assert_string_equal(rx.buf, "qSupported");
    assert_int_equal(rx.len, 10);
}

static void bad_checksum_is_nak(void **state)
{
    struct gdb_rx rx;
    gdb_rx_init(&rx);
    assert_int_equal(feed(&rx, "$g#00", 5), GDB_RX_BAD);
    assert_int_equal(feed(&rx, "$g#zz", 5), GDB_RX_BAD);
    /* and the receiver recovers for the next packet */
    assert_int_equal(feed(&rx, "$g#67", 5), GDB_RX_PACKET);
    assert_string_equal(rx.buf, "g");
}

static void escapes_and_binary(void **state)
{
    /* "X0,2:" followed by the bytes '#' and 0x7d, escaped */
    char raw[] = { '$', 'X', '0', ',', '2', ':', '}', '#' ^ 0x20, '}', 0x7d ^ 0x20, '#', 0, 0, 0 };
    uint8_t sum = gdb_checksum(raw + 1, 9);
    const char hex[] = "0123456789abcdef";
    raw[11] = hex[sum >> 4];
    raw[12] = hex[sum & 15];
    struct gdb_rx rx;
    gdb_rx_init(&rx);
    assert_int_equal(feed(&rx, raw, 13), GDB_RX_PACKET);
    assert_int_equal(rx.len, 7);
    assert_memory_equal(rx.buf, "X0,2:#}", 7);
}

static void frame_round_trip(void **state)
{
    const char payload[] = "a$b#c}d*e";
    char out[64];
    size_t n = gdb_frame(payload, strlen(payload), out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(out[0], '$');
    struct gdb_rx rx;
    gdb_rx_init(&rx);
    assert_int_equal(feed(&rx, out, n), GDB_RX_PACKET);
    assert_string_equal(rx.buf, payload);
    /* too small an output buffer is refused, not overrun */
    assert_int_equal(gdb_frame(payload, strlen(payload), out, 8), 0);
}

static void acks_and_interrupt(void **state)
{
    struct gdb_rx rx;
    gdb_rx_init(&rx);
    assert_int_equal(gdb_rx_byte(&rx, '+'), GDB_RX_ACK);
    assert_int_equal(gdb_rx_byte(&rx, '-'), GDB_RX_NAK);
    assert_int_equal(gdb_rx_byte(&rx, 0x03), GDB_RX_INTERRUPT);
    /* 0x03 inside a packet is data, not an interrupt */
    assert_int_equal(gdb_rx_byte(&rx, '$'), GDB_RX_NONE);
    assert_int_equal(gdb_rx_byte(&rx, 0x03), GDB_RX_NONE);
    /* noise between packets is ignored */
    gdb_rx_init(&rx);
    assert_int_equal(feed(&rx, "garbage", 7), GDB_RX_NONE);
    assert_int_equal(feed(&rx, "$?#3f", 5), GDB_RX_PACKET);
}

static void oversized_packet_is_refused(void **state)
{
    struct gdb_rx rx;
    gdb_rx_init(&rx);
    gdb_rx_byte(&rx, '$');
    uint8_t sum = 0;
    for (int i = 0; i < GDB_PACKET_MAX + 100; i++) {
        gdb_rx_byte(&rx, 'a');
        sum = (uint8_t)(sum + 'a');
    }
    const char hex[] = "0123456789abcdef";
    char tail[3] = { '#', hex[sum >> 4], hex[sum & 15] };
    assert_int_equal(feed(&rx, tail, 3), GDB_RX_BAD);
    assert_true(rx.len <= GDB_PACKET_MAX);
}

static void hex_helpers(void **state)
{
    uint64_t v;
    assert_int_equal(gdb_parse_hex("1f,", &v), 2);
    assert_int_equal(v, 0x1f);
    assert_int_equal(gdb_parse_hex("ffffffffffffffff", &v), 16);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(gdb_parse_hex("10000000000000000", &v), -1);   /* 65 bits */
    assert_int_equal(gdb_parse_hex(",", &v), -1);
    uint8_t b[2];
    assert_int_equal(gdb_hex_decode("a0ff", 2, b), 0);
    assert_int_equal(b[0], 0xa0);
    assert_int_equal(gdb_hex_decode("a", 1, b), -1);
    assert_int_equal(gdb_hex_decode("zz", 1, b), -1);
    char out[5];
    gdb_hex_encode((const uint8_t *)"\x01\xab", 2, out);
    assert_string_equal(out, "01ab");
}

static void register_layout(void **state)
{
    struct cpu_state s = { .rax = 0x1122334455667788ull, .rip = 0x100000, .rflags = 0x246,
                           .cr3 = 0x2000 };
    s.cs.selector = 8;
    struct cpu_fpu f = { .mxcsr = 0x1f80 };
    uint8_t v[16];
    assert_int_equal(gdb_regs_get(&s, &f, 0, v), 8);
    assert_memory_equal(v, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
    assert_int_equal(gdb_regs_get(&s, &f, 16, v), 8);   /* rip */
    assert_int_equal(v[2], 0x10);
    assert_int_equal(gdb_regs_get(&s, &f, 17, v), 4);   /* eflags */
    assert_int_equal(v[0], 0x46);
    assert_int_equal(gdb_regs_get(&s, &f, 18, v), 4);   /* cs */
    assert_int_equal(v[0], 8);
    assert_int_equal(gdb_regs_get(&s, &f, 24, v), 10);  /* st0 */
    assert_int_equal(gdb_regs_get(&s, &f, 40, v), 16);  /* xmm0 */
    assert_int_equal(gdb_regs_get(&s, &f, 56, v), 4);   /* mxcsr */
    assert_int_equal(v[1], 0x1f);
    assert_int_equal(gdb_regs_get(&s, &f, 61, v), 8);   /* cr3 */
    assert_int_equal(v[1], 0x20);
    assert_int_equal(gdb_regs_get(&s, &f, GDB_NUM_REGS, v), 0);
    assert_int_equal(gdb_regs_get(&s, &f, -1, v), 0);
    /* writes: eflags keeps bit 1, selectors are not changed */
    uint8_t z[8] = { 0 };
    gdb_regs_set(&s, &f, 17, z);
    assert_int_equal(s.rflags, 2);
    uint8_t sel[4] = { 0x33, 0, 0, 0 };
    gdb_regs_set(&s, &f, 18, sel);
    assert_int_equal(s.cs.selector, 8);
    /* the description names every register gdb will ask for */
    assert_non_null(strstr(gdb_target_xml, "<reg name=\"efer\""));
    assert_non_null(strstr(gdb_target_xml, "i386:x86-64"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_packet),
        cmocka_unit_test(bad_checksum_is_nak),
        cmocka_unit_test(escapes_and_binary),
        cmocka_unit_test(frame_round_trip),
        cmocka_unit_test(acks_and_interrupt),
        cmocka_unit_test(oversized_packet_is_refused),
        cmocka_unit_test(hex_helpers),
        cmocka_unit_test(register_layout),
    };
    return cmocka_run_group_tests_name("gdb_packet", tests, NULL, NULL);
}
