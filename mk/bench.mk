# Datapath benchmark tools (test/bench/): vgen (DPDK generator owning every
# pod port), raw_fwd (raw rte_vhost forwarder, the upper bound), raw_fan (the
# same in the generator's fan-out pattern, an extra contender), udp_lat
# (kernel-path latency) and the make targets that run them.
# Included at the end of the top-level Makefile, after mk/daemon.mk (whose
# DPDK_CFLAGS / DPDK_LIBS and dpdk-deps it uses).
#
#   make bench-latency    one-way latency of 64-byte frames per contender, and the
#                         urllc-under-eMBB-flood isolation scenario
#   make bench-idle       forwarding-core use with 64 idle ports, and the latency
#                         cost of slicenetd's idle back-off (sparse frames)
#   make bench-datapath   throughput (recipe in mk/daemon.mk; the tools come from here)

BENCH_DPDK_BINS := $(BUILD)/bench/vgen $(BUILD)/bench/raw_fwd $(BUILD)/bench/raw_fan
BENCH_BINS := $(BENCH_DPDK_BINS) $(BUILD)/bench/udp_lat
VGEN_SRCS := test/bench/vgen.c test/bench/vgen_modes.c test/bench/vgen_lat.c test/bench/hist.c
# OVS-DPDK and gnuplot: a contender and the charts; iproute2 for the veth path.
BENCH_DEPS := openvswitch-switch-dpdk gnuplot-nox jq iproute2

.PHONY: bench-bins bench-latency bench-idle

bench-bins: $(BENCH_BINS)

$(BUILD)/bench/vgen: $(VGEN_SRCS:%.c=$(BUILD)/dpdk/%.o)
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(DPDK_LIBS)

$(BUILD)/bench/raw_fwd: $(BUILD)/dpdk/test/bench/raw_fwd.o $(BUILD)/dpdk/test/bench/raw_ports.o
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(DPDK_LIBS)

$(BUILD)/bench/raw_fan: $(BUILD)/dpdk/test/bench/raw_fan.o $(BUILD)/dpdk/test/bench/raw_ports.o
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(DPDK_LIBS)

$(BUILD)/bench/udp_lat: $(BUILD)/obj/test/bench/udp_lat.o $(BUILD)/obj/test/bench/hist.o
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) -o $@ $^

# The throughput benchmark's recipe (mk/daemon.mk) runs these tools too.
bench-datapath: bench-bins

bench-latency: dpdk-deps
	$(Q)deploy/debian-deps.sh dpdk "$(BENCH_DEPS)"
	$(Q)$(MAKE) --no-print-directory daemon-bins bench-bins
	$(Q)test/bench/bench-latency.sh $(BUILD)

# dpdk-testpmd (dpdk-dev) holds the idle ports; curl reads slicenetd's metrics.
bench-idle: dpdk-deps
	$(Q)deploy/debian-deps.sh dpdk "jq curl"
	$(Q)$(MAKE) --no-print-directory daemon-bins bench-bins
	$(Q)test/bench/bench-idle.sh $(BUILD)
