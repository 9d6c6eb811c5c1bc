# The NIC-driver lab's grader (docs/lab/README.md). Included from the
# Makefile; uses its BUILD (build-lab/ with LAB=1) and DEPS.
#
#   make grade             the guest's e1000 driver, graded on pcemu
#   make grade LAB=1       the same for the lab's driver (guest/lab/e1000.c)
#   make grade QEMU=1      on QEMU's e1000 instead: a driver that leans on
#                          something only pcemu does fails there
#   make grade-check       the grader itself: the reference driver scores
#                          full marks, the skeleton zero, quickly
#
# QEMU is also the Makefile's name for the QEMU binary: QEMU=1 (or yes)
# asks for grading on QEMU, anything else is taken as the binary.

GRADE_ON_QEMU := $(filter 1 yes,$(QEMU))
GRADE_QEMU_BIN := $(if $(GRADE_ON_QEMU),qemu-system-x86_64,$(QEMU))

.PHONY: grade grade-check

grade: $(BUILD)/pcemu $(BUILD)/guest.elf $(BUILD)/guest32.elf $(BUILD)/tools/netharness
	@QEMU=$(GRADE_QEMU_BIN) sh tests/grade/grade.sh $(BUILD) $(if $(GRADE_ON_QEMU),qemu,pcemu)

grade-check: $(BUILD)/pcemu $(BUILD)/tools/netharness
	@sh tests/grade/check.sh "$(MAKE)" $(BUILD)
