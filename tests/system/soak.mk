# The soak (issue 13, tools/soak.sh): pcemu built with ASan, UBSan and
# LSan runs the guest's network self-tests round after round, its
# resident size sampled; no sanitizer report, no failed round, flat
# memory. Included from the Makefile.
#
#   make soak         SOAK_SECONDS (default 600)
#   make soak-check   20 s, so the script cannot rot (make check)

.PHONY: soak soak-check

soak: $(BUILD)/san/pcemu guest $(BUILD)/tools/netharness
	@sh tools/soak.sh $(BUILD)

# 20 s leave little warm-up: the memory bound is looser there
soak-check: $(BUILD)/san/pcemu guest $(BUILD)/tools/netharness
	@SOAK_SECONDS=20 SOAK_SAMPLE=2 SOAK_RSS_SLACK_KB=$${SOAK_RSS_SLACK_KB:-32768} \
	    sh tools/soak.sh $(BUILD)
