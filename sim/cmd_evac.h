/*
 * cmd_evac — the `migsim evacuate` subcommand (see cmd_evac.c).
 */
#ifndef MIGSIM_CMD_EVAC_H
#define MIGSIM_CMD_EVAC_H

int cmd_evacuate(int argc, char **argv);

#endif
