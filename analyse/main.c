/*
 * analyse: design-based survey statistics. This file only dispatches the
 * sub-commands; each lives in its own analyse_<command>.c.
 */
#include <stdio.h>
#include <string.h>

#include "sv_cli.h"
#include "analyse_cmds.h"
#include "analyse_pay_cmds.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"shortage", analyse_cmd_shortage, "workforce-shortage indicators (survey recrutement)"},
    {"digital", analyse_cmd_digital, "digital-readiness indicators (survey numerique)"},
    {"estimate", analyse_cmd_estimate, "one statistic of one variable, by any grouping"},
    {"weights", analyse_cmd_weights, "the final weight of every respondent, and a summary"},
    {"pay", analyse_cmd_pay, "pay indicators (survey remuneration)"},
    {"gender", analyse_cmd_gender, "gender pay gaps"},
    {"grid", analyse_cmd_grid, "pay against the minimum wage and grids"},
    {"egapro", analyse_cmd_egapro, "the gender equality index (Egapro)"},
    {NULL, NULL, NULL}};

static void usage(FILE *out)
{
    fprintf(out, "usage: analyse <command> [options]\n\n"
                 "Design-based estimates from survey responses, as indicator tables.\n\n"
                 "commands:\n");
    for (const struct command *c = commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->help);
    fprintf(out, "\nRun 'analyse <command> --help' for the options of a command.\n"
                 "Exit codes: 0 ok, 1 runtime, 2 usage, 3 invalid data, 4 external failure.\n");
}

int main(int argc, char **argv)
{
    sv_cli_set_progname("analyse");
    if (argc < 2)
        return sv_usage_error("missing command");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return sv_cli_finish(0);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        sv_cli_print_version();
        return sv_cli_finish(0);
    }
    for (const struct command *c = commands; c->name; c++)
        if (strcmp(c->name, cmd) == 0)
            return c->run(argc - 1, argv + 1);
    return sv_usage_error("unknown command '%s'", cmd);
}
