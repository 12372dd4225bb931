/*
 * cli.h - the qtmc command line (cli.c): qtmc, qtmc fmt, qtmc diff and
 * qtmc --explain, their options parsed in one place.  The qtmc binary's
 * main is only qtmc_cli; tests call it with an argv of their own.
 */
#ifndef QTMC_CLI_H
#define QTMC_CLI_H

/*
 * qtmc_cli - runs the qtmc command line argv[0..argc) (argv[0] is the
 * program name).  Nothing is written unless every input checked clean.
 * Returns the exit status: 0 ok, 1 diagnostics (errors, or warnings under
 * -Werror; with diff: breaking changes), 2 usage, 3 I/O.
 */
int qtmc_cli(int argc, char **argv);

#endif
