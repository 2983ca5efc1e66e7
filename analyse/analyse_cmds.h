/* The sub-commands of analyse (top layer: they print and return exit codes). */
#ifndef ANALYSE_CMDS_H
#define ANALYSE_CMDS_H

int analyse_cmd_shortage(int argc, char **argv);
int analyse_cmd_digital(int argc, char **argv);
int analyse_cmd_estimate(int argc, char **argv);
int analyse_cmd_weights(int argc, char **argv);

#endif
