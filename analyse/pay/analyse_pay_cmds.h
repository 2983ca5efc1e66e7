/*
 * The pay sub-commands of `analyse`: argv[0] is the sub-command name.
 * Each returns an exit code (0 ok, 1 runtime, 2 usage, 3 invalid data).
 */
#ifndef ANALYSE_PAY_CMDS_H
#define ANALYSE_PAY_CMDS_H

int analyse_cmd_pay(int argc, char **argv);
int analyse_cmd_gender(int argc, char **argv);
int analyse_cmd_grid(int argc, char **argv);
int analyse_cmd_egapro(int argc, char **argv);

#endif
