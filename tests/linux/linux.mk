# Linux's own e1000 driver as a client of pcemu (issue 14): tests/linux/.
# Builds the kernel and initramfs from Debian packages at test time and
# runs them on QEMU TCG (the reference) and on pcemu (its interpreter,
# and KVM where KVM is real VMX/SVM). Slow: minutes, most of them the
# interpreter decompressing the kernel. LINUX_ON=qemu runs the reference
# alone (make linux-test-qemu).
.PHONY: linux-test linux-test-qemu

linux-test: $(BUILD)/pcemu | $(DEPS)
	@sh tests/linux/run.sh $(BUILD)

linux-test-qemu: | $(DEPS)
	@LINUX_ON=qemu sh tests/linux/run.sh $(BUILD)
