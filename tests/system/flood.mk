# The flood (issue 13, tests/system/flood.sh): 100 000 UDP datagrams
# through hostfwd and a paced run that makes the e1000 miss frames, every
# one accounted for; on KVM (where usable) and on pcemu's interpreter.
# Included from the Makefile; make check runs flood-test.

.PHONY: flood-test

# netharness and the guest share the datagrams' format
$(BUILD)/tools/netharness: guest/include/flood.h

flood-test: $(BUILD)/pcemu guest $(BUILD)/tools/netharness
	@rc=0; sh tests/system/flood.sh $(BUILD) || rc=1; \
	ACCEL="-accel interp" sh tests/system/flood.sh $(BUILD) || rc=1; exit $$rc
