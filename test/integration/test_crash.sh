#!/bin/bash
# Crash consistency: the plugin killed with SIGKILL at each step of ADD
# (SLICENET_FAULT_POINT), then DEL or GC must leave nothing, and a fresh ADD
# of the same pod must succeed; DEL's hand-over of the veth deletion to a
# child, with the child or the plugin killed.
here=$(dirname "$0")
. "$here/lib.sh"
SUBNET_PREFIX=10.96.0
. "$here/plugin_env.sh"

POINTS="add-after-ipam veth-after-create veth-after-pod-addresses add-after-datapath add-after-state"

killed_add() { # point netns id
	local out rc
	out=$(SLICENET_FAULT_POINT=$1 cni_call ADD "$2" "$3" eth0 "$(conf 1.1.0)") && rc=0 || rc=$?
	[ $rc -eq 137 ] || fail "ADD at $1 was not killed (rc $rc): $out"
}

nothing_left() { # id what
	! link_exists "$(host_ifname "$1" eth0)" || fail "$2: host veth of $1 left"
	[ -z "$(ipam_files)" ] || fail "$2: IPAM reservations left: $(ipam_files)"
	[ -z "$(state_records)" ] || fail "$2: records left"
}

test_killed_add_then_del_leaves_nothing() {
	local p nsp out
	for p in $POINTS; do
		nsp=$(new_netns "k$p")
		killed_add "$p" "$nsp" "ctr-$p"
		cni_call DEL "$nsp" "ctr-$p" eth0 "$(conf 1.1.0)" || fail "DEL after a kill at $p"
		nothing_left "ctr-$p" "DEL after $p"
		out=$(cni_call ADD "$nsp" "ctr-$p" eth0 "$(conf 1.1.0)") || fail "fresh ADD after $p: $out"
		cni_call DEL "$nsp" "ctr-$p" eth0 "$(conf 1.1.0)" || fail "DEL"
		nothing_left "ctr-$p" "final DEL after $p"
	done
}

# GC finds a veth without a record by its alias, set right after the pair is
# created (the kernel takes no alias at creation): a kill between the two is
# left to DEL, which the runtime always sends and which needs no alias.
GC_POINTS="add-after-ipam veth-after-pod-addresses add-after-datapath add-after-state"

test_killed_add_then_gc_leaves_nothing() {
	local p nsp keep
	keep=$(new_netns keep)
	cni_call ADD "$keep" ctr-keep eth0 "$(conf 1.1.0)" >/dev/null || fail "ADD of the pod to keep"
	for p in $GC_POINTS; do
		nsp=$(new_netns "g$p")
		killed_add "$p" "$nsp" "gc-$p"
	done
	cni_call GC "" "" "" "$(conf 1.1.0 ',"cni.dev/valid-attachments":[{"containerID":"ctr-keep","ifname":"eth0"}]')" ||
		fail "GC"
	for p in $GC_POINTS; do
		! link_exists "$(host_ifname "gc-$p" eth0)" || fail "GC left the host veth of a kill at $p"
	done
	assert_eq "$(ipam_files | wc -l)" 1 "only the kept pod's address remains"
	link_exists "$(host_ifname ctr-keep eth0)" || fail "GC removed the valid pod"
	cni_call CHECK "$keep" ctr-keep eth0 "$(conf 1.1.0)" || fail "valid pod broken by GC"
	cni_call DEL "$keep" ctr-keep eth0 "$(conf 1.1.0)"
	nothing_left ctr-keep "after the last DEL"
}

# DEL hands the kernel's freeing of the pair (its RCU barrier) to a child
# and returns once both ends are unregistered (plugin/datapath/veth_delete.c).
pod_links() { # netns path: its links but lo
	ip -n "$(basename "$1")" -o link | awk -F': ' '$2 != "lo" { print $2 }'
}

test_del_returns_with_both_ends_gone() {
	local nsp out
	nsp=$(new_netns dq)
	out=$(cni_call ADD "$nsp" ctr-dq eth0 "$(conf 1.1.0)") || fail "ADD: $out"
	cni_call DEL "$nsp" ctr-dq eth0 "$(conf 1.1.0)" || fail "DEL"
	# Looked at once, no waiting: both ends must be unlisted when DEL returns.
	! link_exists "$(host_ifname ctr-dq eth0)" || fail "host end still listed when DEL returned"
	assert_eq "$(pod_links "$nsp")" "" "pod end still listed when DEL returned"
	nothing_left ctr-dq "DEL"
	out=$(cni_call ADD "$nsp" ctr-dq eth0 "$(conf 1.1.0)") || fail "ADD again right after DEL: $out"
	cni_call DEL "$nsp" ctr-dq eth0 "$(conf 1.1.0)" || fail "second DEL"
	nothing_left ctr-dq "second DEL"
}

test_del_deletes_the_pair_itself_when_its_child_dies() {
	local nsp out
	nsp=$(new_netns dc)
	out=$(cni_call ADD "$nsp" ctr-dc eth0 "$(conf 1.1.0)") || fail "ADD: $out"
	# The child is killed before it asks: DEL waits out the announcement, then deletes.
	SLICENET_FAULT_POINT=veth-delete-child cni_call DEL "$nsp" ctr-dc eth0 "$(conf 1.1.0)" ||
		fail "DEL with its child killed"
	! link_exists "$(host_ifname ctr-dc eth0)" || fail "host end left"
	assert_eq "$(pod_links "$nsp")" "" "pod end left"
	nothing_left ctr-dc "DEL with its child killed"
}

test_del_killed_after_handing_over_leaves_nothing() {
	local nsp out rc
	nsp=$(new_netns dk)
	out=$(cni_call ADD "$nsp" ctr-dk eth0 "$(conf 1.1.0)") || fail "ADD: $out"
	out=$(SLICENET_FAULT_POINT=veth-delete-forked cni_call DEL "$nsp" ctr-dk eth0 "$(conf 1.1.0)") &&
		rc=0 || rc=$?
	[ $rc -eq 137 ] || fail "DEL was not killed after forking (rc $rc): $out"
	# The runtime retries DEL; the child may or may not have deleted the pair by then.
	cni_call DEL "$nsp" ctr-dk eth0 "$(conf 1.1.0)" || fail "DEL after a kill"
	! link_exists "$(host_ifname ctr-dk eth0)" || fail "host end left"
	assert_eq "$(pod_links "$nsp")" "" "pod end left"
	nothing_left ctr-dk "DEL after a kill"
}

run_tests
