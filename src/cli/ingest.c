/*
 * ingest.c - `driftdb ingest` (being written: fails with a clear error).
 */
#include "cli.h"

#include <stdio.h>

int cmd_ingest(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "%s: ingest is not implemented yet\n", cli_progname);
    return 1;
}
