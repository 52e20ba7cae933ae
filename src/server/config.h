/*
 * config.h - driftdb-server's settings from its three sources: the
 * command line (--name VALUE), DRIFTDB_NAME environment variables and a
 * configuration file (--config FILE or DRIFTDB_CONFIG) of postgresql.conf's
 * syntax, over built-in defaults.  Precedence: command line > environment
 * > file > defaults, settling each setting on its own.
 *
 * The file: one `name = value` per line ('=' optional), '#' to the end of
 * a line is a comment, a value is bare (up to white space or '#') or in
 * single quotes ('' or \' for a quote).  Names are the long flags with '_'
 * or '-' (data_path, log-level).  A relative path in the file is relative
 * to the file's directory, as PostgreSQL's include files; on the command
 * line and in the environment, to the working directory.  An empty path
 * means none (hba, tls_*: not set; socket_dir: no Unix socket).
 *
 * Invariants: a ServerConfig owns its strings (config_free); config_load
 * either fills one completely or leaves nothing to free and an error
 * message naming where the problem is ("FILE:LINE: ...", "environment
 * variable DRIFTDB_X: ...", "--flag: ...").
 */
#ifndef DD_SERVER_CONFIG_H
#define DD_SERVER_CONFIG_H

#include "log.h"

#include <stdio.h>

#define CONFIG_DEFAULT_LISTEN "127.0.0.1:5433"
#define CONFIG_DEFAULT_SOCKET_DIR "/var/run/postgresql"
#define CONFIG_DEFAULT_MAX_CONN 100
#define CONFIG_MAX_MAX_CONN 10000

typedef struct ServerConfig {
    char *config_file;            /* --config / DRIFTDB_CONFIG, or NULL */
    char *data_path;
    char *listen;
    char *socket_dir;             /* "" = no Unix socket */
    bool socket_dir_given;        /* by any source: failing to use it is an error */
    int max_conn;
    char *hba;                    /* or NULL: the built-in rules */
    char *tls_cert, *tls_key, *tls_ca;   /* or NULL */
    char *http_listen;            /* HOST:PORT of /metrics and /health, or NULL */
    LogLevel log_level;
    bool log_connections;
    int log_min_duration;         /* ms; -1 off */
} ServerConfig;

/*
 * Reads the three sources into c.  Returns 0, 1 for --help (nothing to
 * free), or -1 with a message in err (nothing to free).  May be called
 * again (SIGHUP) with the same argv.
 */
int config_load(int argc, char **argv, ServerConfig *c, char *err, size_t errsz);
void config_free(ServerConfig *c);
void config_usage(FILE *f);

#endif
