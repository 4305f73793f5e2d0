/* Complete the EAL arguments from the CPU set (see eal_args.h). */
#include "daemon/eal_args.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* arg is opt itself, or opt with its value attached ("-l0-3", "--lcores=0-3"). */
static bool is_opt(const char *arg, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(arg, opt, n))
		return false;
	if (!arg[n])
		return true;
	return opt[1] == '-' ? arg[n] == '=' : true;
}

static bool has_any(int argc, char *const *argv, const char *const *opts)
{
	int i, k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break; /* the application's args from here */
		for (k = 0; opts[k]; k++)
			if (is_opt(argv[i], opts[k]))
				return true;
	}
	return false;
}

/* "0-3,6,8-9": ranges of consecutive CPUs, malloc'ed. */
static char *cpu_list(const cpu_set_t *cpus, int *count)
{
	size_t cap = 16 * CPU_SETSIZE, len = 0;
	char *out = malloc(cap);
	int cpu, start = -1;

	if (!out)
		return NULL;
	out[0] = '\0';
	*count = 0;
	for (cpu = 0; cpu <= CPU_SETSIZE; cpu++) {
		bool in = cpu < CPU_SETSIZE && CPU_ISSET(cpu, cpus);

		if (in) {
			(*count)++;
			if (start < 0)
				start = cpu;
			continue;
		}
		if (start < 0)
			continue;
		len += (size_t)snprintf(out + len, cap - len, start == cpu - 1 ? "%s%d" : "%s%d-%d",
					len ? "," : "", start, cpu - 1);
		start = -1;
	}
	return out;
}

int eal_args_build(const cpu_set_t *cpus, int argc, char *const *argv, struct eal_args *out,
		   char *note, size_t note_size)
{
	static const char *const lcore_opts[] = {"-l", "--lcores", "-c", NULL};
	static const char *const pci_opts[] = {"-a", "--allow", "-b", "--block", "--no-pci", NULL};
	bool place = !has_any(argc, argv, lcore_opts);
	bool no_pci = !has_any(argc, argv, pci_opts);
	int i, n = 0;

	memset(out, 0, sizeof(*out));
	out->n_cpus = CPU_COUNT(cpus);
	if (out->n_cpus == 0) {
		snprintf(note, note_size, "no CPU to run on");
		return -EINVAL;
	}
	if (place) {
		out->lcores = cpu_list(cpus, &out->n_cpus);
		if (!out->lcores)
			return -ENOMEM;
	}
	out->argv = calloc((size_t)argc + 4, sizeof(*out->argv));
	if (!out->argv) {
		eal_args_free(out);
		return -ENOMEM;
	}
	out->argv[n++] = argv[0];
	if (place) {
		out->argv[n++] = "-l";
		out->argv[n++] = out->lcores;
	}
	if (no_pci) {
		out->argv[n++] = "--no-pci";
		out->no_pci = 1;
	}
	for (i = 1; i < argc; i++)
		out->argv[n++] = argv[i];
	out->argc = n;
	if (!place)
		snprintf(note, note_size, "lcores as given in the EAL arguments%s",
			 no_pci ? "; --no-pci (no -a allow-list)" : "");
	else
		snprintf(note, note_size,
			 "lcores from the %d CPU(s) this process may use (%s): %s%s", out->n_cpus,
			 out->lcores,
			 out->n_cpus == 1 ? "one lcore, which forwards"
					  : "main lcore on the first, forwarding on the rest",
			 no_pci ? "; --no-pci (no -a allow-list)" : "");
	return 0;
}

void eal_args_free(struct eal_args *args)
{
	free(args->argv);
	free(args->lcores);
	memset(args, 0, sizeof(*args));
}
