# make lossy: the guest's TCP through filter-impair's loss and reordering
# and a link flap, with and without TSO (tests/system/lossy.sh;
# LOSSY_BULK, LOSSY_FROM_BULK, LOSSY_LOSS, LOSSY_REORDER, LOSSY_SEED,
# TSO0_BULK, FLAP_BULK, FLAP_DOWN, FLAP_AFTER, FLAP_DELAY as there).
# Included from the top-level Makefile after BUILD is set.
.PHONY: lossy
lossy: $(BUILD)/pcemu guest $(BUILD)/tools/netharness $(BUILD)/tools/unixcat
	@sh tests/system/lossy.sh $(BUILD)
