# SR-IOV datapath: the PF-side VF settings go through libnl-route-3
# (plugin/datapath/sriov_vf.c), which the slicenet binary loads with dlopen on
# first use: only the headers are needed to build it, and every other CNI call
# skips loading libnl (PLUGIN_LDLIBS). Tests link it as before. Included at the end of the top-level Makefile, whose
# BASE_CFLAGS and LDLIBS are recursive (=): += appends to them and keeps them
# recursive. pkg-config runs once here (:=), not at every compile.
SRIOV_PC := libnl-route-3.0
# -isystem: libnl's headers are not ours to hold to -Wextra -Werror.
SRIOV_CFLAGS := $(patsubst -I%,-isystem %,$(shell $(PKG_CONFIG) --cflags $(SRIOV_PC) 2>/dev/null))
SRIOV_LIBS := $(shell $(PKG_CONFIG) --libs $(SRIOV_PC) 2>/dev/null)
BASE_CFLAGS += $(SRIOV_CFLAGS)
LDLIBS += $(SRIOV_LIBS)
# The CNI binary: everything but libnl (see above). dlopen is in glibc 2.34+'s libc.
PLUGIN_LDLIBS = $(filter-out $(SRIOV_LIBS),$(LDLIBS))
