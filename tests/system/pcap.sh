#!/bin/sh
# filter-dump: a capture of the DHCP exchange that tshark reads, with the
# server's ACK for our MAC in it. Usage: pcap.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
pcap=$TMP/dhcp.pcap
"$b/pcemu" -netdev user,id=n0 -device e1000,netdev=n0 \
    -object filter-dump,id=f0,netdev=n0,file="$pcap" \
    -append tests=dhcp_lease,arp_gateway,ping_gateway "$b/guest.elf" >"$TMP/run.log" 2>&1
expect_status "pcap: the guest's network tests pass" 1 $?
tshark -r "$pcap" >"$TMP/all.txt" 2>"$TMP/tshark.err"
expect_status "pcap: tshark reads the capture" 0 $?
tshark -r "$pcap" -Y 'dhcp.option.dhcp == 5 && dhcp.hw.mac_addr == 52:54:00:12:34:56' \
    -T fields -e dhcp.ip.your -e dhcp.option.router >"$TMP/ack.txt" 2>/dev/null
expect_grep "pcap: a DHCP ACK for 52:54:00:12:34:56 giving 10.0.2.15, router 10.0.2.2" \
    "^10\.0\.2\.15	10\.0\.2\.2$" "$TMP/ack.txt"
expect_grep "pcap: both directions are captured (the guest's DISCOVER)" "DHCP Discover" "$TMP/all.txt"
expect_grep "pcap: the gateway's echo replies are captured" "Echo \(ping\) reply" "$TMP/all.txt"

"$b/pcemu" -object filter-dump,id=f,netdev=nope,file="$TMP/x.pcap" "$b/guest.elf" \
    >/dev/null 2>"$TMP/err"
expect_status "pcap: a dump on an unknown netdev is refused" 2 $?
expect_grep "pcap: ... naming the netdev" "^pcemu: -object filter-dump,netdev=nope: no such netdev" "$TMP/err"
finish pcap
