/*
 * config.c - settings from the command line, DRIFTDB_* variables and a
 * postgresql.conf-style file (config.h).
 *
 * One table names every setting; each source hands (name, value) pairs
 * to setting_apply, which checks the value the same way whatever its
 * source, so a value refused on the command line is refused in the file.
 * The command line is read first (it may name the file), applied last.
 */
#include "config.h"

#include "../util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum Kind { K_STR, K_PATH, K_INT, K_LEVEL, K_BOOL, K_MS } Kind;

static const struct Setting {
    const char *name;             /* as in the file, '_' between words */
    const char *flag;             /* the long flag */
    Kind kind;
    size_t off;                   /* into ServerConfig */
} settings[] = {
    {"data_path", "data-path", K_PATH, offsetof(ServerConfig, data_path)},
    {"listen", "listen", K_STR, offsetof(ServerConfig, listen)},
    {"socket_dir", "socket-dir", K_PATH, offsetof(ServerConfig, socket_dir)},
    {"max_connections", "max-connections", K_INT, offsetof(ServerConfig, max_conn)},
    {"hba", "hba", K_PATH, offsetof(ServerConfig, hba)},
    {"tls_cert", "tls-cert", K_PATH, offsetof(ServerConfig, tls_cert)},
    {"tls_key", "tls-key", K_PATH, offsetof(ServerConfig, tls_key)},
    {"tls_ca", "tls-ca", K_PATH, offsetof(ServerConfig, tls_ca)},
    {"http_listen", "http-listen", K_STR, offsetof(ServerConfig, http_listen)},
    {"log_level", "log-level", K_LEVEL, offsetof(ServerConfig, log_level)},
    {"log_connections", "log-connections", K_BOOL, offsetof(ServerConfig, log_connections)},
    {"log_min_duration_statement", "log-min-duration-statement", K_MS, offsetof(ServerConfig, log_min_duration)},
};
#define NSETTINGS DD_ARRAY_LEN(settings)
#define OPT_CONFIG 100
#define OPT_HELP 101

void config_usage(FILE *f)
{
    fprintf(f,
            "usage: driftdb-server --data-path DIR [--listen HOST:PORT] [--socket-dir DIR]\n"
            "                      [--max-connections N] [--hba FILE]\n"
            "                      [--tls-cert FILE --tls-key FILE [--tls-ca FILE]]\n"
            "                      [--http-listen HOST:PORT]\n"
            "                      [--log-level LEVEL] [--log-connections[=on|off]]\n"
            "                      [--log-min-duration-statement MS] [--config FILE]\n"
            "\n"
            "  --data-path DIR        database directory (made with `driftdb init DIR`)\n"
            "  --listen HOST:PORT     address to listen on (default " CONFIG_DEFAULT_LISTEN ");\n"
            "                         [::1]:PORT for IPv6, *:PORT for all interfaces\n"
            "  --socket-dir DIR       also listen on DIR/.s.PGSQL.PORT (default " CONFIG_DEFAULT_SOCKET_DIR ";\n"
            "                         '' for none)\n"
            "  --max-connections N    concurrent client sessions (default %d)\n"
            "  --hba FILE             who may connect and how they authenticate, in\n"
            "                         pg_hba.conf's format (default: the Unix socket and\n"
            "                         loopback are trusted, nothing else may connect);\n"
            "                         re-read on SIGHUP\n"
            "  --tls-cert FILE        offer TLS to TCP clients (SSLRequest, sslmode=require):\n"
            "                         the server's certificate chain, PEM\n"
            "  --tls-key FILE         its private key, PEM (both or neither)\n"
            "  --tls-ca FILE          CA certificates, PEM: ask clients for a certificate and\n"
            "                         verify it (hba clientcert=verify-ca|verify-full, cert)\n"
            "  --http-listen HOST:PORT  serve /health/live, /health/ready and /metrics\n"
            "                         (Prometheus) over HTTP, without authentication: keep\n"
            "                         it on loopback or a private network (default: off)\n"
            "  --log-level LEVEL      least severe message logged to stderr, as PostgreSQL's\n"
            "                         log_min_messages: debug5..debug1, info, notice,\n"
            "                         warning (default), error, log, fatal, panic\n"
            "  --log-connections[=on|off]  log \"connection received\" and \"connection\n"
            "                         authorized\" lines (default off)\n"
            "  --log-min-duration-statement MS  log each statement that ran at least MS\n"
            "                         milliseconds with its duration (0: all; -1: none, the\n"
            "                         default); units ms, s, min, h, d accepted\n"
            "  --config FILE          read settings from FILE: `name = value` lines as in\n"
            "                         postgresql.conf, names as the flags above with '_'\n"
            "                         (data_path = '/srv/db'); relative paths in it are\n"
            "                         relative to FILE's directory\n"
            "  --help                 this text\n"
            "\n"
            "Every setting may also come from the environment: DRIFTDB_DATA_PATH,\n"
            "DRIFTDB_LISTEN, ..., DRIFTDB_LOG_MIN_DURATION_STATEMENT, DRIFTDB_CONFIG.\n"
            "The command line wins over the environment, which wins over the file.\n"
            "SIGHUP re-reads the --hba file and the log settings.\n"
            "\n"
            "Speaks the PostgreSQL wire protocol v3 (psql, libpq, psycopg2).\n",
            CONFIG_DEFAULT_MAX_CONN);
}

static int fail(char *err, size_t errsz, const char *fmt, ...) DD_PRINTF(3, 4);
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

void config_free(ServerConfig *c)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (settings[i].kind == K_STR || settings[i].kind == K_PATH) {
            char **p = (char **)((char *)c + settings[i].off);
            dd_free(*p);
            *p = NULL;
        }
    dd_free(c->config_file);
    c->config_file = NULL;
}

/* The setting called name ('-' and '_' alike, any case), or NULL. */
static const struct Setting *setting_find(const char *name)
{
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *a = settings[i].name, *b = name;
        while (*a && *b && (tolower((unsigned char)*b) == *a || (*a == '_' && *b == '-'))) { a++; b++; }
        if (!*a && !*b) return &settings[i];
    }
    return NULL;
}

/* A time in ms: an integer with an optional unit (ms, s, min, h, d),
 * -1 .. INT_MAX.  0 or -1. */
static int parse_duration(const char *v, int *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v) return -1;
    while (*end == ' ') end++;
    long long mul = !*end || !strcmp(end, "ms") ? 1 : !strcmp(end, "s") ? 1000 : !strcmp(end, "min") ? 60000
                  : !strcmp(end, "h") ? 3600000 : !strcmp(end, "d") ? 86400000 : 0;
    if (!mul || n < -1 || n > INT_MAX / mul) return -1;
    *out = n < 0 ? -1 : (int)(n * mul);
    return 0;
}

/*
 * Sets one setting from value; base is the directory relative paths are
 * taken from (NULL: as given).  0, or -1 with what is wrong in err.
 */
static int setting_apply(ServerConfig *c, const struct Setting *s, const char *value, const char *base,
                         char *err, size_t errsz)
{
    void *field = (char *)c + s->off;
    switch (s->kind) {
    case K_STR:
    case K_PATH: {
        char *v;
        if (s->kind == K_PATH && base && value[0] && value[0] != '/') {
            size_t n = strlen(base) + strlen(value) + 2;
            v = dd_malloc(n);
            if (v) snprintf(v, n, "%s/%s", base, value);
        } else {
            v = dd_strdup(value);
        }
        if (!v) return fail(err, errsz, "out of memory");
        if (s->kind == K_STR && !v[0]) {
            dd_free(v);
            return fail(err, errsz, "%s must not be empty", s->name);
        }
        if (!v[0] && s->off != offsetof(ServerConfig, socket_dir)) {   /* '' = none */
            dd_free(v);
            v = NULL;
        }
        char **p = field;
        dd_free(*p);
        *p = v;
        if (s->off == offsetof(ServerConfig, socket_dir)) c->socket_dir_given = true;
        return 0;
    }
    case K_INT: {
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (errno || end == value || *end || n < 1 || n > CONFIG_MAX_MAX_CONN)
            return fail(err, errsz, "%s must be 1..%d, not \"%s\"", s->name, CONFIG_MAX_MAX_CONN, value);
        *(int *)field = (int)n;
        return 0;
    }
    case K_LEVEL:
        if (log_level_parse(value, field) != 0)
            return fail(err, errsz, "invalid value for %s: \"%s\" (debug5..debug1, info, notice, warning, error, log, fatal, panic)",
                        s->name, value);
        return 0;
    case K_BOOL: {
        /* PostgreSQL's Boolean spellings */
        static const char *const on[] = {"on", "true", "yes", "1"}, *const off[] = {"off", "false", "no", "0"};
        for (size_t i = 0; i < DD_ARRAY_LEN(on); i++) {
            if (!strcasecmp(value, on[i])) { *(bool *)field = true; return 0; }
            if (!strcasecmp(value, off[i])) { *(bool *)field = false; return 0; }
        }
        return fail(err, errsz, "%s requires a Boolean value (on or off), not \"%s\"", s->name, value);
    }
    case K_MS:
        if (parse_duration(value, field) != 0)
            return fail(err, errsz, "invalid value for %s: \"%s\" (milliseconds, -1 for none)", s->name, value);
        return 0;
    }
    return 0;
}

/* Reads a whole file; NULL with errno set. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = dd_malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (len + 1 < cap) break;
        char *nb = dd_realloc(buf, cap * 2);
        if (!nb) { dd_free(buf); buf = NULL; errno = ENOMEM; break; }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (buf && bad) { dd_free(buf); errno = EIO; return NULL; }
    if (buf) buf[len] = 0;
    return buf;
}

/*
 * Applies the file's settings.  0, or -1 with "path:line: what" (or a
 * message naming the file when it cannot be read) in err.
 */
static int config_file_apply(ServerConfig *c, const char *path, char *err, size_t errsz)
{
    char *text = read_file(path);
    if (!text) return fail(err, errsz, "could not open configuration file \"%s\": %s", path, strerror(errno));
    /* relative paths in the file are relative to its directory */
    char *dir = dd_strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) *(slash == dir ? slash + 1 : slash) = 0;
    const char *base = !dir ? NULL : slash ? dir : ".";
    char *val = dd_malloc(strlen(text) + 1);
    int rc = 0, lineno = 0;
    if (!dir || !val) {
        rc = fail(err, errsz, "out of memory");
        goto out;
    }
    for (char *p = text; *p && rc == 0;) {
        char *eol = strchr(p, '\n');
        if (eol) *eol = 0;
        char *next = eol ? eol + 1 : p + strlen(p);
        lineno++;
        char *q = p;
        p = next;
        while (*q == ' ' || *q == '\t' || *q == '\r') q++;
        if (!*q || *q == '#') continue;
        char *name = q;
        while (isalnum((unsigned char)*q) || *q == '_' || *q == '-' || *q == '.') q++;
        if (q == name) {
            rc = fail(err, errsz, "%s:%d: syntax error near \"%.20s\"", path, lineno, q);
            break;
        }
        char *name_end = q;
        while (*q == ' ' || *q == '\t') q++;
        if (*q == '=') q++;
        while (*q == ' ' || *q == '\t') q++;
        char *v = val;
        if (*q == '\'') {
            q++;
            for (;;) {
                if (!*q) break;
                if (*q == '\'' && q[1] == '\'') { *v++ = '\''; q += 2; continue; }
                if (*q == '\'') break;
                if (*q == '\\' && q[1]) {
                    q++;
                    *v++ = *q == 'n' ? '\n' : *q == 't' ? '\t' : *q == 'r' ? '\r' : *q;
                    q++;
                    continue;
                }
                *v++ = *q++;
            }
            if (*q != '\'') {
                rc = fail(err, errsz, "%s:%d: unterminated quoted string", path, lineno);
                break;
            }
            q++;
        } else {
            while (*q && *q != ' ' && *q != '\t' && *q != '\r' && *q != '#' && *q != '\'') *v++ = *q++;
            if (v == val) {
                rc = fail(err, errsz, "%s:%d: syntax error: \"%.*s\" has no value", path, lineno,
                          (int)(name_end - name), name);
                break;
            }
        }
        *v = 0;
        while (*q == ' ' || *q == '\t' || *q == '\r') q++;
        if (*q && *q != '#') {
            rc = fail(err, errsz, "%s:%d: syntax error near \"%.20s\"", path, lineno, q);
            break;
        }
        *name_end = 0;
        const struct Setting *s = setting_find(name);
        if (!s) {
            if (!strcasecmp(name, "include") || !strcasecmp(name, "include_if_exists") || !strcasecmp(name, "include_dir"))
                rc = fail(err, errsz, "%s:%d: \"%s\" directives are not supported", path, lineno, name);
            else
                rc = fail(err, errsz, "%s:%d: unrecognized configuration parameter \"%s\"", path, lineno, name);
            break;
        }
        char why[512];
        if (setting_apply(c, s, val, base, why, sizeof why) != 0) rc = fail(err, errsz, "%s:%d: %s", path, lineno, why);
    }
out:
    dd_free(val);
    dd_free(dir);
    dd_free(text);
    return rc;
}

/* A flag's value as the command line gave it. */
typedef struct Given {
    const struct Setting *s;
    const char *value;
} Given;

int config_load(int argc, char **argv, ServerConfig *c, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    struct option longopts[NSETTINGS + 3];
    for (size_t i = 0; i < NSETTINGS; i++)
        longopts[i] = (struct option){settings[i].flag,
                                      settings[i].kind == K_BOOL ? optional_argument : required_argument, NULL,
                                      (int)i};
    longopts[NSETTINGS] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
    longopts[NSETTINGS + 1] = (struct option){"help", no_argument, NULL, OPT_HELP};
    longopts[NSETTINGS + 2] = (struct option){NULL, 0, NULL, 0};

    Given *given = dd_calloc((size_t)argc + 1, sizeof *given);
    if (!given) return fail(err, errsz, "out of memory");
    int ngiven = 0, rc = -1;
    const char *config = NULL;
    optind = 0;   /* glibc: a full rescan, also when called again at SIGHUP */
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (ch == OPT_HELP) {
            dd_free(given);
            return 1;
        }
        if (ch == OPT_CONFIG) {
            config = optarg;
        } else if (ch >= 0 && ch < (int)NSETTINGS) {
            given[ngiven].s = &settings[ch];
            given[ngiven++].value = optarg ? optarg : "on";   /* --log-connections alone */
        } else if (optopt) {
            fail(err, errsz, "option --%s needs a value", argv[optind - 1] + 2);
            goto done;
        } else {
            fail(err, errsz, "unknown option \"%s\"", argv[optind - 1]);
            goto done;
        }
    }
    if (optind < argc) {
        fail(err, errsz, "unexpected argument \"%s\"", argv[optind]);
        goto done;
    }

    c->listen = dd_strdup(CONFIG_DEFAULT_LISTEN);
    c->socket_dir = dd_strdup(CONFIG_DEFAULT_SOCKET_DIR);
    c->max_conn = CONFIG_DEFAULT_MAX_CONN;
    c->log_level = LOG_WARNING;
    c->log_min_duration = -1;
    if (!c->listen || !c->socket_dir) {
        fail(err, errsz, "out of memory");
        goto done;
    }

    if (!config) config = getenv("DRIFTDB_CONFIG");
    if (config && config[0]) {
        if (!(c->config_file = dd_strdup(config))) {
            fail(err, errsz, "out of memory");
            goto done;
        }
        if (config_file_apply(c, config, err, errsz) != 0) goto done;
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        char var[64] = "DRIFTDB_";
        size_t k = strlen(var);
        for (const char *p = settings[i].name; *p && k + 1 < sizeof var; p++) var[k++] = (char)toupper((unsigned char)*p);
        var[k] = 0;
        const char *v = getenv(var);
        if (!v) continue;
        char why[512];
        if (setting_apply(c, &settings[i], v, NULL, why, sizeof why) != 0) {
            fail(err, errsz, "environment variable %s: %s", var, why);
            goto done;
        }
    }
    for (int i = 0; i < ngiven; i++) {
        char why[512];
        if (setting_apply(c, given[i].s, given[i].value, NULL, why, sizeof why) != 0) {
            fail(err, errsz, "--%s: %s", given[i].s->flag, why);
            goto done;
        }
    }
    if (!c->data_path) {
        fail(err, errsz, "--data-path DIR is required (or data_path in --config FILE, or DRIFTDB_DATA_PATH)");
        goto done;
    }
    rc = 0;
done:
    dd_free(given);
    if (rc != 0) config_free(c);
    return rc;
}
