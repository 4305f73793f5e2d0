# slicenet — build, test, demo. Out-of-tree into $(BUILD); quiet unless V=1.

BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
PREFIX_CNI ?= /opt/cni/bin

ifeq ($(V),1)
Q :=
else
Q := @
endif

PKGS := jansson libmnl
WARNINGS := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 \
	-Wno-format-nonliteral
BASE_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -I. $(shell $(PKG_CONFIG) --cflags $(PKGS)) -MMD -MP
ALL_CFLAGS = $(BASE_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDLIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lpthread
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# One archive per folder. Layers, lowest first: plugin/util, plugin/cni (the
# spec plumbing slicenet-ipam also links), ipam, plugin/kernel, plugin/conf,
# plugin/datapath, plugin (the verbs). Nothing below links what is above it.
PLUGIN_DIRS := util cni kernel conf datapath
PLUGIN_SRCS := $(foreach d,$(PLUGIN_DIRS),$(wildcard plugin/$(d)/*.c)) \
	$(filter-out plugin/main.c,$(wildcard plugin/*.c))
IPAM_SRCS := $(filter-out ipam/main.c,$(wildcard ipam/*.c))
UNIT_SRCS := $(wildcard test/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/unit/%)

# archive name -> its sources
lib_srcs = $(if $(filter plugin,$(1)),$(filter-out plugin/main.c,$(wildcard plugin/*.c)),\
	$(if $(filter ipam,$(1)),$(IPAM_SRCS),$(wildcard plugin/$(patsubst plugin_%,%,$(1))/*.c)))
PLUGIN_LIBS := plugin_util plugin_cni plugin_kernel plugin_conf plugin_datapath plugin
IPAM_LIBS := plugin_util plugin_cni ipam
ALL_LIBS := $(PLUGIN_LIBS) ipam

# slicenet links every layer (the verbs call IPAM in-process); slicenet-ipam
# only the spec plumbing and the allocator. Groups: a datapath's parse op is
# called from conf, and conf's types are used by the datapaths.
LINK_ARCHIVES = -Wl,--start-group $(foreach l,$(ALL_LIBS),$(BUILD)/lib$(l).a) -Wl,--end-group
SAN_ARCHIVES = -Wl,--start-group $(foreach l,$(ALL_LIBS),$(BUILD)/san/lib$(l).a) -Wl,--end-group
IPAM_ARCHIVES = $(BUILD)/libipam.a $(BUILD)/libplugin_cni.a $(BUILD)/libplugin_util.a
IPAM_LDLIBS = $(shell $(PKG_CONFIG) --libs jansson)

BINS := $(BUILD)/bin/slicenet $(BUILD)/bin/slicenet-ipam

.PHONY: all deps deps-test install test unit unit-bins integration demo clean bench-cni format
all: $(BINS)

$(BUILD)/obj/%.o: %.c | $(BUILD)/obj
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/san/%.o: %.c | $(BUILD)/san
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC-SAN  $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(shell $(PKG_CONFIG) --cflags criterion) -c $< -o $@

$(BUILD)/obj $(BUILD)/san $(BUILD)/bin $(BUILD)/unit:
	@mkdir -p $@

define archive_rules
$(BUILD)/lib$(1).a: $(patsubst %.c,$(BUILD)/obj/%.o,$(call lib_srcs,$(1)))
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/san/lib$(1).a: $(patsubst %.c,$(BUILD)/san/%.o,$(call lib_srcs,$(1)))
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(ALL_LIBS),$(eval $(call archive_rules,$(l))))

$(BUILD)/bin/slicenet: $(BUILD)/obj/plugin/main.o $(ALL_LIBS:%=$(BUILD)/lib%.a) | $(BUILD)/bin
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LINK_ARCHIVES) $(PLUGIN_LDLIBS)

$(BUILD)/bin/slicenet-ipam: $(BUILD)/obj/ipam/main.o $(IPAM_LIBS:%=$(BUILD)/lib%.a) | $(BUILD)/bin
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(IPAM_ARCHIVES) $(IPAM_LDLIBS)

# Unit tests may #include the .c they test (to reach static functions); they
# link the sanitized archives for the rest.
$(BUILD)/unit/%: test/unit/%.c $(ALL_LIBS:%=$(BUILD)/san/lib%.a) | $(BUILD)/unit
	$(if $(Q),@echo "  TEST    $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(shell $(PKG_CONFIG) --cflags criterion) \
		-Wno-missing-prototypes -o $@ $< $(SAN_ARCHIVES) \
		$(shell $(PKG_CONFIG) --libs criterion) $(LDLIBS)

deps:
	$(Q)deploy/debian-deps.sh build
deps-test:
	$(Q)deploy/debian-deps.sh test

install: $(BINS)
	$(Q)install -d $(DESTDIR)$(PREFIX_CNI)
	$(Q)for b in slicenet slicenet-ipam; do \
		install -m 0755 $(BUILD)/bin/$$b $(DESTDIR)$(PREFIX_CNI)/.$$b.tmp && \
		mv -f $(DESTDIR)$(PREFIX_CNI)/.$$b.tmp $(DESTDIR)$(PREFIX_CNI)/$$b; done
	@echo "installed slicenet, slicenet-ipam into $(DESTDIR)$(PREFIX_CNI)"

unit-bins: $(UNIT_BINS)

# The whole suite: unit tests under ASan+UBSan, then root integration tests;
# ends with one "N passed, N failed" line.
test: deps-test
	$(Q)$(MAKE) --no-print-directory all unit-bins $(TEST_EXTRA_TARGETS)
	$(Q)test/run-all.sh $(BUILD)

# Every unit binary (plugin, daemon, agent): run-all.sh runs all it finds.
unit: deps-test
	$(Q)$(MAKE) --no-print-directory unit-bins daemon-unit-bins agent-unit-bins
	$(Q)test/run-all.sh $(BUILD) unit

integration: deps-test
	$(Q)$(MAKE) --no-print-directory all
	$(Q)test/run-all.sh $(BUILD) integration

demo: deps-test
	$(Q)$(MAKE) --no-print-directory all daemon-bins
	$(Q)test/demo/demo.sh $(BUILD)

$(BUILD)/bench/cni_bench: test/bench/cni_bench.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $<

bench-cni: deps-test
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/bench/cni_bench
	$(Q)test/bench/bench-cni.sh $(BUILD)

format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)

include mk/sriov.mk mk/daemon.mk mk/fuzz.mk mk/e2e.mk
include mk/agent.mk
include mk/bench.mk
include mk/e2e-cluster.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
