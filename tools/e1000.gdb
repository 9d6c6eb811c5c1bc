# gdb commands for the e1000: the rings and registers as the device sees
# them (through pcemu's monitor) and as the guest's driver sees them
# (through its struct e1000_nic, in guest/drivers/e1000.c or, built with
# LAB=1, guest/lab/e1000.c). Load with `source tools/e1000.gdb`.

define e1000-device
  monitor info e1000
end
document e1000-device
The e1000's registers and both rings as pcemu's device model sees them:
base registers, head and tail, every descriptor read from guest memory.
end

define e1000-driver
  set $nic = 'e1000_pci.c'::first_nic
  if $nic == 0
    printf "e1000 driver: no NIC bound (probe not run, or it failed)\n"
  else
    printf "e1000 driver: regs %p, I/O 0x%x, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", $nic->regs, $nic->io_base, $nic->mac[0], $nic->mac[1], $nic->mac[2], $nic->mac[3], $nic->mac[4], $nic->mac[5]
    printf "  interrupts taken %u, causes seen 0x%x\n", $nic->irq_count, $nic->irq_causes
    printf "TX ring at %p: next to fill %u, oldest not done %u\n", $nic->txd, $nic->tx_next, $nic->tx_clean
    set $i = 0
    set $gap = 0
    while $i < e1000_ring_size
      # long rings: only the descriptors near where the driver works
      set $a = ($i - $nic->tx_clean + e1000_ring_size + 6) % e1000_ring_size
      set $b = ($i - $nic->tx_next + e1000_ring_size + 6) % e1000_ring_size
      if e1000_ring_size > 24 && $a >= 12 && $b >= 12
        if $gap == 0
          printf "  ...\n"
        end
        set $gap = 1
        set $i = $i + 1
        loop_continue
      end
      set $gap = 0
      set $d = &$nic->txd[$i]
      printf "  [%3u] addr 0x%lx len %u cmd 0x%02x sta 0x%x", $i, $d->buffer_addr, $d->length, $d->cmd, $d->status
      if $i == $nic->tx_next
        printf "  <- tx_next"
      end
      if $i == $nic->tx_clean
        printf "  <- tx_clean"
      end
      printf "\n"
      set $i = $i + 1
    end
    printf "RX ring at %p: next to take %u, taken and not yet given back (RDT) %u\n", $nic->rxd, $nic->rx_next, $nic->rx_owed
    set $i = 0
    set $gap = 0
    while $i < e1000_ring_size
      set $a = ($i - $nic->rx_next + e1000_ring_size + 6) % e1000_ring_size
      if e1000_ring_size > 24 && $a >= 12
        if $gap == 0
          printf "  ...\n"
        end
        set $gap = 1
        set $i = $i + 1
        loop_continue
      end
      set $gap = 0
      set $d = &$nic->rxd[$i]
      printf "  [%3u] addr 0x%lx len %u sta 0x%02x err 0x%02x", $i, $d->buffer_addr, $d->length, $d->status, $d->errors
      if $i == $nic->rx_next
        printf "  <- rx_next"
      end
      printf "\n"
      set $i = $i + 1
    end
  end
end
document e1000-driver
The rings as the guest's e1000 driver keeps them: its descriptor arrays,
where it will fill and reclaim next, and what its interrupt handler saw.
Compare with e1000-device: a descriptor the two disagree about is where
a driver bug lives.
end

define e1000
  e1000-device
  e1000-driver
end
document e1000
Both views of the e1000, the device's and then the driver's.
end
