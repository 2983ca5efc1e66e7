/*
 * collect: fetch survey responses, normalise and store them; export; status.
 * Thin entry point: program name, sub-command dispatch, exit code.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "collect.h"

static const char usage[] =
    "usage: collect <command> [options]\n"
    "\n"
    "commands:\n"
    "  fetch    download new and changed responses into the survey's store\n"
    "  export   write the stored responses as CSV, excel-fr CSV or JSON Lines\n"
    "  status   response counts and response rates per stratum\n"
    "  participants  add the member list to a LimeSurvey survey's participants\n"
    "  invite   have LimeSurvey send the invitations, batch after batch\n"
    "  remind   have LimeSurvey send the reminders, batch after batch\n"
    "  launch   put the survey definition on LimeSurvey (checked, read back, activated)\n"
    "  definition  a starter survey definition from a LimeSurvey .lss or live survey\n"
    "\n"
    "'collect <command> --help' describes each command's options.\n";

int main(int argc, char **argv)
{
    sv_cli_set_progname("collect");
    if (argc < 2)
        /* the wording of the first three commands is kept: golden cases check it */
        return sv_usage_error("a command is required: fetch, export or status");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return sv_cli_finish(SV_EXIT_OK);
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        sv_cli_print_version();
        return sv_cli_finish(SV_EXIT_OK);
    }
    int rc;
    int (*net)(int, char **) = NULL;
    if (strcmp(cmd, "fetch") == 0)
        net = collect_cmd_fetch;
    else if (strcmp(cmd, "participants") == 0)
        net = collect_cmd_participants;
    else if (strcmp(cmd, "invite") == 0)
        net = collect_cmd_invite;
    else if (strcmp(cmd, "remind") == 0)
        net = collect_cmd_remind;
    else if (strcmp(cmd, "launch") == 0)
        net = collect_cmd_launch;
    else if (strcmp(cmd, "definition") == 0)
        net = collect_cmd_definition;
    if (net) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return sv_fail(SV_EXIT_RUNTIME, "cannot initialise libcurl");
        rc = net(argc - 1, argv + 1);
        curl_global_cleanup();
    } else if (strcmp(cmd, "export") == 0) {
        rc = collect_cmd_export(argc - 1, argv + 1);
    } else if (strcmp(cmd, "status") == 0) {
        rc = collect_cmd_status(argc - 1, argv + 1);
    } else {
        return sv_usage_error("unknown command '%s' (fetch, export, status, participants, invite, remind, launch, definition)", cmd);
    }
    return sv_cli_finish(rc);
}
