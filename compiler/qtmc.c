/*
 * qtmc.c - the qtmc command: check .qsm surfaces and generate their tables.
 *
 * Everything is library code: the command line is parsed by cli.c, the
 * work is done by driver.c, the emitters, fmt.c, diff.c and explain.c.
 */
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv)
{
    /* diagnostics are written a character at a time; batch them */
    static char errbuf[1 << 16];
    setvbuf(stderr, errbuf, _IOFBF, sizeof errbuf);
    return qtmc_cli(argc, argv);
}
