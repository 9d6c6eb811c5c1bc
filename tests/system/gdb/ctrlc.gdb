# Used by gdb.sh after `target remote` and `set $want_cs = N`: run until
# Ctrl-C and show where the guest was; then two single steps at the level
# the test runs at (CPL 3, cs 51, where the host emulates CPL 0; CPL 0,
# cs 8, elsewhere). Ctrl-C may stop the guest inside an interrupt handler
# (CPL 0) that interrupted the test: step out of it first. A step may
# land in an interrupt handler when an interrupt was already on its way:
# step back out and try again. If pcemu let PVM divert CPL 3 steps into
# the guest's #DB handler, no try would end at CPL 3.
continue
bt
set $n = 0
while $cs != $want_cs && $n < 5000
  stepi
  set $n = $n + 1
end
set $stop_cs = $cs
set $ok = 0
set $tries = 0
while !$ok && $tries < 20
  while $cs != $stop_cs
    stepi
  end
  stepi
  stepi
  if $cs == $stop_cs
    set $ok = 1
  end
  set $tries = $tries + 1
end
printf "after stepping: cs=%d, stopped with cs=%d\n", $cs, $stop_cs
echo stepped to:\n
info symbol $pc
kill
