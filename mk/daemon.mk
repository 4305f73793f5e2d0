# slicenetd (DPDK vhost-user switch), slicenetctl, and their tests.
# Included at the end of the top-level Makefile.
#
# Two archives: libdaemon_client.a (control protocol + client + pure switching
# logic, no DPDK) is what slicenetctl, the CNI plugin and the unit tests link;
# slicenetd adds the DPDK files on top.

DPDK_PC := libdpdk
# -isystem: DPDK's inline headers trip -Wextra/-Werror in our flags.
DPDK_CFLAGS = $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(DPDK_PC) 2>/dev/null))
DPDK_LIBS = $(shell $(PKG_CONFIG) --libs $(DPDK_PC) 2>/dev/null)

DAEMON_CLIENT_SRCS := daemon/ctl_proto.c daemon/ctl_proto_json.c daemon/ctl_proto_port.c \
	daemon/ctl_proto_request.c daemon/ctl_proto_response.c daemon/ctl_client.c \
	daemon/ctl_socket.c daemon/ctl_access.c daemon/ctl_conn.c daemon/ctl_server.c \
	daemon/fdb.c daemon/l2switch.c daemon/port_slots.c daemon/port_shadow.c daemon/vhost_msg.c \
	daemon/state.c daemon/config.c daemon/metrics_text.c daemon/metrics_http.c daemon/server_base.c \
	daemon/eal_args.c daemon/guest_mem_table.c
DAEMON_DPDK_SRCS := $(filter-out $(DAEMON_CLIENT_SRCS) daemon/main.c daemon/slicenetctl.c,\
	$(wildcard daemon/*.c))
DAEMON_CLIENT_OBJS := $(DAEMON_CLIENT_SRCS:%.c=$(BUILD)/obj/%.o)
DAEMON_DPDK_OBJS := $(DAEMON_DPDK_SRCS:%.c=$(BUILD)/dpdk/%.o)
SAN_DAEMON_CLIENT_OBJS := $(DAEMON_CLIENT_SRCS:%.c=$(BUILD)/san/%.o)
DAEMON_UNIT_SRCS := $(wildcard test/unit/daemon/test_*.c)
# Named test_daemon_* so they never collide with test/unit/test_<plugin file>.
DAEMON_UNIT_BINS := $(DAEMON_UNIT_SRCS:test/unit/daemon/test_%.c=$(BUILD)/unit/test_daemon_%)
DAEMON_BINS := $(BUILD)/bin/slicenetd $(BUILD)/bin/slicenetctl

TEST_EXTRA_TARGETS += daemon-unit-bins
# slicenetd joins the test build once its entry point exists (milestone order).
ifneq ($(wildcard daemon/main.c),)
TEST_EXTRA_TARGETS += daemon-bins
endif
.PHONY: daemon-bins daemon-unit-bins dpdk-deps bench-datapath

daemon-bins: $(DAEMON_BINS) $(BUILD)/adversary/vhost_hostile
daemon-unit-bins: $(DAEMON_UNIT_BINS)

# The plugin's vhostuser datapath talks to slicenetd through the client library.
LINK_ARCHIVES += $(BUILD)/libdaemon_client.a
SAN_ARCHIVES += $(BUILD)/san/libdaemon_client.a
$(BUILD)/bin/slicenet: $(BUILD)/libdaemon_client.a
$(UNIT_BINS): $(BUILD)/san/libdaemon_client.a

# Installs libdpdk-dev/dpdk-dev only when missing (the script checks dpkg).
dpdk-deps:
	$(Q)$(PKG_CONFIG) --exists $(DPDK_PC) || deploy/debian-deps.sh dpdk

$(BUILD)/libdaemon_client.a: $(DAEMON_CLIENT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BUILD)/san/libdaemon_client.a: $(SAN_DAEMON_CLIENT_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BUILD)/libdaemon_dpdk.a: $(DAEMON_DPDK_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# Order-only on dpdk-deps: headers must exist before the first DPDK compile.
$(BUILD)/dpdk/%.o: %.c | dpdk-deps
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC-DPDK $<")
	$(Q)$(CC) $(BASE_CFLAGS) $(DPDK_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(BUILD)/bin/slicenetd: $(BUILD)/dpdk/daemon/main.o $(BUILD)/libdaemon_dpdk.a \
		$(BUILD)/libdaemon_client.a | $(BUILD)/bin
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libdaemon_dpdk.a $(BUILD)/libdaemon_client.a \
		$(DPDK_LIBS) $(LDLIBS)

$(BUILD)/bin/slicenetctl: $(BUILD)/obj/daemon/slicenetctl.o $(BUILD)/libdaemon_client.a | $(BUILD)/bin
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libdaemon_client.a $(LDLIBS)

# Daemon unit tests live in test/unit/daemon/ so the generic test/unit rule
# skips them; they land in $(BUILD)/unit/ like every other test binary.
$(DAEMON_UNIT_BINS): $(BUILD)/unit/test_daemon_%: test/unit/daemon/test_%.c $(BUILD)/san/libdaemon_client.a | $(BUILD)/unit
	$(if $(Q),@echo "  TEST    $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_FLAGS) $(shell $(PKG_CONFIG) --cflags criterion) \
		-Wno-missing-prototypes -o $@ $< $(BUILD)/san/libdaemon_client.a \
		$(shell $(PKG_CONFIG) --libs criterion) $(LDLIBS)

# OVS-DPDK and gnuplot only for the benchmark (contender and chart).
bench-datapath: dpdk-deps
	$(Q)deploy/debian-deps.sh dpdk "openvswitch-switch-dpdk gnuplot-nox jq"
	$(Q)$(MAKE) --no-print-directory daemon-bins
	$(Q)test/bench/bench-datapath.sh $(BUILD)

# A hostile vhost-user frontend for test/integration/test_daemon_hostile.sh
# (a test tool: not in bin/, never installed).
$(BUILD)/adversary/vhost_hostile: test/adversary/vhost_hostile.c daemon/vhost_msg.h
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -o $@ $<
