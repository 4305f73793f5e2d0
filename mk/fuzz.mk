# Reliability: libFuzzer targets, a LeakSanitizer build of the plugin, the
# scale benchmark. Included at the end of the top-level Makefile.
#
#   make fuzz-bins      build one libFuzzer binary per parser into $(BUILD)/fuzz/bin
#   make fuzz           run each for FUZZ_SECONDS (default 60), one at a time
#   make fuzz-replay    run each over its committed corpus only (make test does this
#                       through test/integration/test_fuzz_replay.sh)
#   make leak-bins      $(BUILD)/leak/slicenet: the plugin with ASan + LeakSanitizer
#   make soak           1,000 ADD/DEL cycles through the leak build (make test runs 200)
#   make bench-scale    500 pods, 16 concurrent callers: latency, uniqueness, leftovers
#
# The fuzzers compile the parsers directly with clang (libFuzzer is clang's);
# the gcc archives are not instrumented for coverage.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = $(BASE_CFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_TARGETS := conf cni_result cni_env annotations ipam_conf store_disk state ctl_proto sriov_conf vhost_msg
FUZZ_LIB_SRCS = $(PLUGIN_SRCS) $(IPAM_SRCS) $(DAEMON_CLIENT_SRCS)
FUZZ_LIB_OBJS = $(FUZZ_LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/bin/fuzz_%)

# make test replays the committed corpora, so it needs the fuzzers built.
TEST_EXTRA_TARGETS += fuzz-bins leak-bins

.PHONY: fuzz fuzz-bins fuzz-replay leak-bins soak bench-scale

fuzz-bins: $(FUZZ_BINS)
# Keep the harness objects make would treat as intermediate.
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/obj/test/fuzz/%.o) $(BUILD)/fuzz/obj/test/fuzz/fuzz_util.o

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC-FUZZ $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(BUILD)/fuzz/libfuzzed.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/bin/fuzz_%: $(BUILD)/fuzz/obj/test/fuzz/%.o $(BUILD)/fuzz/obj/test/fuzz/fuzz_util.o \
		$(BUILD)/fuzz/libfuzzed.a
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD-FUZZ $@")
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $(filter %.o,$^) $(BUILD)/fuzz/libfuzzed.a \
		$(LDLIBS)

# New inputs go to $(BUILD)/fuzz/corpus/<target> (the first directory);
# the committed seeds are read only. Crashes land in $(BUILD)/fuzz/artifacts.
fuzz: fuzz-bins
	$(Q)mkdir -p $(BUILD)/fuzz/artifacts $(BUILD)/fuzz/logs
	$(Q)failed=""; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD)/fuzz/corpus/$$t; \
		log=$(BUILD)/fuzz/logs/$$t.log; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS)s (log: $$log)"; \
		$(BUILD)/fuzz/bin/fuzz_$$t $(BUILD)/fuzz/corpus/$$t test/fuzz/corpus/$$t \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$(BUILD)/fuzz/artifacts/$$t- -print_final_stats=1 \
			$(FUZZ_FLAGS) >$$log 2>&1 || failed="$$failed $$t"; \
		grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|SUMMARY|Test unit written)' $$log; \
	done; \
	[ -z "$$failed" ] || { echo "fuzz: crashes in:$$failed (inputs in $(BUILD)/fuzz/artifacts)"; exit 1; }

fuzz-replay: fuzz-bins
	$(Q)BUILD_DIR=$(abspath $(BUILD)) test/integration/test_fuzz_replay.sh

# The plugin built from the sanitized archives make test already builds.
$(BUILD)/leak/slicenet: $(BUILD)/san/plugin/main.o $(ALL_LIBS:%=$(BUILD)/san/lib%.a) \
		$(BUILD)/san/libdaemon_client.a
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD-SAN  $@")
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $< $(SAN_ARCHIVES) $(LDLIBS)

leak-bins: $(BUILD)/leak/slicenet

soak: all leak-bins
	$(Q)BUILD_DIR=$(abspath $(BUILD)) LEAK_CYCLES=1000 test/integration/test_leaks.sh

$(BUILD)/bench/scale_add: test/bench/scale_add.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< -lpthread

bench-scale: all $(BUILD)/bench/scale_add $(BUILD)/bench/cni_bench
	$(Q)test/bench/bench-scale.sh $(BUILD)
