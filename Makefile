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

PLUGIN_SRCS := $(filter-out plugin/main.c,$(wildcard plugin/*.c))
IPAM_SRCS := $(filter-out ipam/main.c,$(wildcard ipam/*.c))
UNIT_SRCS := $(wildcard test/unit/test_*.c)

PLUGIN_OBJS := $(PLUGIN_SRCS:%.c=$(BUILD)/obj/%.o)
IPAM_OBJS := $(IPAM_SRCS:%.c=$(BUILD)/obj/%.o)
SAN_PLUGIN_OBJS := $(PLUGIN_SRCS:%.c=$(BUILD)/san/%.o)
SAN_IPAM_OBJS := $(IPAM_SRCS:%.c=$(BUILD)/san/%.o)
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/unit/%)

# Archives are grouped because the IPAM library uses the plugin's CNI types
# and the plugin calls the IPAM library.
LINK_ARCHIVES = -Wl,--start-group $(BUILD)/libplugin.a $(BUILD)/libipam.a -Wl,--end-group
SAN_ARCHIVES = -Wl,--start-group $(BUILD)/san/libplugin.a $(BUILD)/san/libipam.a -Wl,--end-group

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

$(BUILD)/libplugin.a: $(PLUGIN_OBJS)
	$(Q)ar rcs $@ $^
$(BUILD)/libipam.a: $(IPAM_OBJS)
	$(Q)ar rcs $@ $^
$(BUILD)/san/libplugin.a: $(SAN_PLUGIN_OBJS)
	$(Q)ar rcs $@ $^
$(BUILD)/san/libipam.a: $(SAN_IPAM_OBJS)
	$(Q)ar rcs $@ $^

$(BUILD)/bin/slicenet: $(BUILD)/obj/plugin/main.o $(BUILD)/libplugin.a $(BUILD)/libipam.a | $(BUILD)/bin
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LINK_ARCHIVES) $(LDLIBS)

$(BUILD)/bin/slicenet-ipam: $(BUILD)/obj/ipam/main.o $(BUILD)/libplugin.a $(BUILD)/libipam.a | $(BUILD)/bin
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LINK_ARCHIVES) $(LDLIBS)

# Unit tests may #include the .c they test (to reach static functions); they
# link the sanitized archives for the rest.
$(BUILD)/unit/%: test/unit/%.c $(BUILD)/san/libplugin.a $(BUILD)/san/libipam.a | $(BUILD)/unit
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

unit: deps-test
	$(Q)$(MAKE) --no-print-directory unit-bins
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

-include $(wildcard mk/*.mk)
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
