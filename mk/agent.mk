# slicenet-agent (the node agent: Kubernetes Node watch -> ranges file,
# routes / VXLAN entries, masquerade) and its tests. Included at the end of
# the top-level Makefile.
#
# libagent.a holds every agent file but main.c; the agent links it over the
# plugin's kernel (rtnetlink transport) and util archives, and over
# libdaemon_client.a for the DPDK-free /metrics server and text encoder
# (daemon/metrics_http.c, daemon/metrics_text.c), nothing above.

AGENT_PKGS := libcurl libnftables
AGENT_SRCS := $(filter-out agent/main.c,$(wildcard agent/*.c))
AGENT_OBJS := $(AGENT_SRCS:%.c=$(BUILD)/obj/%.o)
SAN_AGENT_OBJS := $(AGENT_SRCS:%.c=$(BUILD)/san/%.o)
AGENT_ARCHIVES = $(BUILD)/libagent.a $(BUILD)/libdaemon_client.a $(BUILD)/libplugin_kernel.a \
	$(BUILD)/libplugin_util.a
SAN_AGENT_ARCHIVES = $(BUILD)/san/libagent.a $(BUILD)/san/libdaemon_client.a \
	$(BUILD)/san/libplugin_kernel.a $(BUILD)/san/libplugin_util.a
AGENT_LDLIBS = $(shell $(PKG_CONFIG) --libs $(AGENT_PKGS) jansson libmnl) -lpthread
AGENT_UNIT_SRCS := $(wildcard test/unit/agent/test_*.c)
# Named test_agent_* so they never collide with test/unit/test_<plugin file>.
AGENT_UNIT_BINS := $(AGENT_UNIT_SRCS:test/unit/agent/test_%.c=$(BUILD)/unit/test_agent_%)

TEST_EXTRA_TARGETS += agent-bins agent-unit-bins
.PHONY: agent-bins agent-unit-bins

agent-bins: $(BUILD)/bin/slicenet-agent
agent-unit-bins: $(AGENT_UNIT_BINS)

$(BUILD)/libagent.a: $(AGENT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BUILD)/san/libagent.a: $(SAN_AGENT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/slicenet-agent: $(BUILD)/obj/agent/main.o $(AGENT_ARCHIVES) | $(BUILD)/bin
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(AGENT_ARCHIVES) $(AGENT_LDLIBS)

# Agent unit tests live in test/unit/agent/ so the generic test/unit rule
# skips them; they land in $(BUILD)/unit/ like every other test binary.
$(AGENT_UNIT_BINS): $(BUILD)/unit/test_agent_%: test/unit/agent/test_%.c $(SAN_AGENT_ARCHIVES) | $(BUILD)/unit
	$(if $(Q),@echo "  TEST    $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(shell $(PKG_CONFIG) --cflags criterion) \
		-Wno-missing-prototypes -o $@ $< $(SAN_AGENT_ARCHIVES) \
		$(shell $(PKG_CONFIG) --libs criterion) $(AGENT_LDLIBS) -lpthread
