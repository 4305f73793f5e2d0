/* The agent's reader of the plugin's event lines (plugin/events.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/cni_event.h"

static int parse(const char *line, struct cni_event *ev)
{
	return cni_event_parse(line, strlen(line), ev);
}

Test(cni_event, nine_fields_with_the_pod)
{
	struct cni_event ev;

	cr_assert_eq(parse("1700000000 ADD edge urllc veth vhostuser 0 ran du-0", &ev), 0);
	cr_assert_eq(ev.time, 1700000000);
	cr_assert_str_eq(ev.verb, "ADD");
	cr_assert_str_eq(ev.network, "edge");
	cr_assert_str_eq(ev.slice, "urllc");
	cr_assert_str_eq(ev.datapath, "veth");
	cr_assert_str_eq(ev.preferred, "vhostuser");
	cr_assert_eq(ev.code, 0);
	cr_assert_str_eq(ev.pod_namespace, "ran");
	cr_assert_str_eq(ev.pod_name, "du-0");
	cr_assert(cni_event_is_fallback(&ev));
}

Test(cni_event, seven_fields_from_an_older_plugin_and_dashes_are_empty)
{
	struct cni_event ev;

	cr_assert_eq(parse("1700000000 DEL edge - - - 7", &ev), 0);
	cr_assert_str_eq(ev.verb, "DEL");
	cr_assert_str_eq(ev.slice, "");
	cr_assert_str_eq(ev.datapath, "");
	cr_assert_eq(ev.code, 7);
	cr_assert_str_eq(ev.pod_namespace, "");
	cr_assert_str_eq(ev.pod_name, "");
	cr_assert_not(cni_event_is_fallback(&ev));
}

Test(cni_event, not_a_fallback_when_chosen_is_preferred_or_the_add_failed)
{
	struct cni_event ev;

	cr_assert_eq(parse("1 ADD edge urllc vhostuser vhostuser 0 ns p", &ev), 0);
	cr_assert_not(cni_event_is_fallback(&ev));
	cr_assert_eq(parse("1 ADD edge urllc veth vhostuser 11 ns p", &ev), 0);
	cr_assert_not(cni_event_is_fallback(&ev), "a failed ADD got no datapath");
	cr_assert_eq(parse("1 DEL edge urllc veth vhostuser 0 ns p", &ev), 0);
	cr_assert_not(cni_event_is_fallback(&ev), "DEL is never a fallback");
}

Test(cni_event, rejects)
{
	static const char *const bad[] = {
		"",
		"1700000000 ADD edge urllc veth vhostuser",	    /* six fields */
		"1700000000 ADD edge urllc veth vhostuser 0 ns",    /* a namespace without a name */
		"1700000000 ADD edge urllc veth vhostuser 0 a b c", /* ten */
		"x ADD edge urllc veth vhostuser 0",
		"-5 ADD edge urllc veth vhostuser 0",
		"1 CHECK edge urllc veth vhostuser 0",
		"1 ADD edge urllc veth vhostuser zero",
		"1 ADD edge urllc veth vhostuser -1",
	};
	struct cni_event ev;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(bad[i], &ev), -EINVAL, "accepted \"%s\"", bad[i]);
}

Test(cni_event, overlong_field_and_embedded_nul_are_rejected)
{
	char line[CNI_EVENT_LINE_MAX];
	struct cni_event ev;

	snprintf(line, sizeof(line), "1 ADD %0300d - - - 0", 1);
	cr_assert_eq(parse(line, &ev), -EINVAL);
	cr_assert_eq(cni_event_parse("1 ADD e\0x - - - 0", 17, &ev), -EINVAL);
}
