# Used by gdb.sh after `target remote`: run until Ctrl-C and show where
# the guest was; then two single steps at CPL 3 (cs 51). A step may land
# in an interrupt handler when an interrupt was already on its way: step
# back out to CPL 3 and try again. If pcemu let PVM divert CPL 3 steps
# into the guest's #DB handler, no try would end at CPL 3.
continue
bt
set $ok = 0
set $tries = 0
while !$ok && $tries < 20
  while $cs != 51
    stepi
  end
  stepi
  stepi
  if $cs == 51
    set $ok = 1
  end
  set $tries = $tries + 1
end
printf "after stepping: cs=%d\n", $cs
echo stepped to:\n
info symbol $pc
kill
