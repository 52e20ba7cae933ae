/*
 * hba.c - pg_hba.conf-format rules (hba.h).
 *
 * A field's items are kept as written; a quoted item gets a leading '"'
 * so that "all" quoted names a database called all, never the keyword.
 */
#include "hba.h"

#include "../util/alloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HBA_MAX_FIELDS 16

const char *hba_method_name(HbaMethod m)
{
    switch (m) {
    case HBA_TRUST: return "trust";
    case HBA_REJECT: return "reject";
    case HBA_SCRAM: return "scram-sha-256";
    case HBA_MD5: return "md5";
    case HBA_CERT: return "cert";
    default: return "password";
    }
}

static void line_free(HbaLine *l)
{
    for (int i = 0; i < l->ndbs; i++) dd_free(l->dbs[i]);
    for (int i = 0; i < l->nusers; i++) dd_free(l->users[i]);
    dd_free(l->dbs);
    dd_free(l->users);
}

void hba_free(Hba *h)
{
    if (!h) return;
    if (atomic_fetch_sub(&h->refs, 1) > 1) return;   /* another holder remains */
    for (int i = 0; i < h->n; i++) line_free(&h->lines[i]);
    dd_free(h->lines);
    dd_free(h->path);
    dd_free(h);
}

/* One whitespace-separated field of a line, with its quotes: [p, end). */
typedef struct Field {
    const char *p;
    size_t n;
} Field;

/* Splits line into fields; -1 when a quote is not closed. */
static int split_fields(const char *line, Field *f, int *nf)
{
    *nf = 0;
    const char *s = line;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r') s++;
        if (!*s || *s == '#') return 0;
        const char *start = s;
        bool quoted = false;
        while (*s && (quoted || (*s != ' ' && *s != '\t' && *s != '\r' && *s != '#'))) {
            if (*s == '"') quoted = !quoted;
            s++;
        }
        if (quoted) return -1;
        if (*nf == HBA_MAX_FIELDS) return -2;
        f[*nf].p = start;
        f[*nf].n = (size_t)(s - start);
        (*nf)++;
    }
}

/* The comma-separated items of a field, quotes removed (a quoted item
 * starts with '"').  0, or -1 for an empty item or out of memory. */
static int split_items(Field f, char ***items, int *n)
{
    *items = NULL;
    *n = 0;
    size_t i = 0;
    int cap = 0;
    while (i <= f.n) {
        char buf[256];
        size_t k = 0;
        bool quoted = false, any_quote = false;
        while (i < f.n && (quoted || f.p[i] != ',')) {
            if (f.p[i] == '"') {
                quoted = !quoted;
                any_quote = true;
            } else if (k + 2 < sizeof buf) {
                buf[k++] = f.p[i];
            } else {
                return -1;
            }
            i++;
        }
        if (k == 0 && !any_quote) return -1;
        buf[k] = 0;
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            char **v = dd_realloc(*items, sizeof(char *) * (size_t)cap);
            if (!v) return -1;
            *items = v;
        }
        char *item = dd_malloc(k + 2);
        if (!item) return -1;
        snprintf(item, k + 2, "%s%s", any_quote ? "\"" : "", buf);
        (*items)[(*n)++] = item;
        i++;   /* past the comma (or the end) */
    }
    return 0;
}

static int set_err(char *err, size_t errsz, const char *path, int lineno, const char *fmt, ...) DD_PRINTF(5, 6);
static int set_err(char *err, size_t errsz, const char *path, int lineno, const char *fmt, ...)
{
    int k = snprintf(err, errsz, "%s:%d: ", path, lineno);
    if (k < 0 || (size_t)k >= errsz) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + k, errsz - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

/* An address with an optional /bits, into l. */
static int parse_cidr(const char *s, const char *mask, HbaLine *l, const char **why)
{
    char a[128];
    snprintf(a, sizeof a, "%s", s);
    char *slash = strchr(a, '/');
    long bits = -1;
    if (slash) {
        *slash = 0;
        char *end;
        bits = strtol(slash + 1, &end, 10);
        if (*end || end == slash + 1) {
            *why = "invalid CIDR mask in address";
            return -1;
        }
    }
    memset(l->addr, 0, sizeof l->addr);
    memset(l->mask, 0, sizeof l->mask);
    int len;
    if (inet_pton(AF_INET, a, l->addr) == 1) {
        l->family = AF_INET;
        len = 4;
    } else if (inet_pton(AF_INET6, a, l->addr) == 1) {
        l->family = AF_INET6;
        len = 16;
    } else {
        *why = "invalid IP address (host names are not supported)";
        return -1;
    }
    if (slash && mask) {
        *why = "a CIDR mask and a separate netmask are both given";
        return -1;
    }
    if (mask) {
        if (inet_pton(l->family, mask, l->mask) != 1) {
            *why = "invalid IP mask";
            return -1;
        }
    } else {
        if (!slash) {
            *why = "IP address without a CIDR mask or netmask";
            return -1;
        }
        if (bits < 0 || bits > len * 8) {
            *why = "invalid CIDR mask in address";
            return -1;
        }
        for (int i = 0; i < len; i++) {
            int b = (int)bits - i * 8;
            l->mask[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (u8)(0xff << (8 - b));
        }
    }
    l->addr_kind = 'c';
    return 0;
}

/* One line's fields into l.  0, or -1 with *why. */
static int parse_line(Field *f, int nf, HbaLine *l, const char **why)
{
    char type[16];
    snprintf(type, sizeof type, "%.*s", (int)f[0].n, f[0].p);
    if (strcmp(type, "local") == 0) l->type = 'l';
    else if (strcmp(type, "host") == 0) l->type = 'h';
    else if (strcmp(type, "hostssl") == 0) l->type = 's';
    else if (strcmp(type, "hostnossl") == 0) l->type = 'n';
    else if (strcmp(type, "hostgssenc") == 0 || strcmp(type, "hostnogssenc") == 0) {
        *why = "GSSAPI connections are not supported";
        return -1;
    } else {
        *why = "invalid connection type";
        return -1;
    }
    int need = l->type == 'l' ? 4 : 5;
    if (nf < need) {
        *why = "end-of-line before authentication method";
        return -1;
    }
    if (split_items(f[1], &l->dbs, &l->ndbs) || split_items(f[2], &l->users, &l->nusers)) {
        *why = "invalid database or user list";
        return -1;
    }
    /* A server serves one database whatever name a client asks for, so a
     * rule by database name would let the client pick its rule: only
     * "all" is accepted ("replication" matches nothing: replication
     * connections are refused). */
    for (int i = 0; i < l->ndbs; i++)
        if (strcmp(l->dbs[i], "all") != 0 && strcmp(l->dbs[i], "replication") != 0) {
            *why = "the DATABASE field must be all (a DriftDB server serves one database under any name, so a rule "
                   "by database name would let the client choose its rule)";
            return -1;
        }
    int m = 3;
    if (l->type != 'l') {
        char a[128], mask[128];
        snprintf(a, sizeof a, "%.*s", (int)f[3].n, f[3].p);
        m = 4;
        if (strcmp(a, "all") == 0) l->addr_kind = 'a';
        else if (strcmp(a, "samehost") == 0) l->addr_kind = 'h';
        else if (strcmp(a, "samenet") == 0) l->addr_kind = 'n';
        else {
            bool has_mask = !strchr(a, '/') && nf > 5;
            if (has_mask) snprintf(mask, sizeof mask, "%.*s", (int)f[4].n, f[4].p);
            if (parse_cidr(a, has_mask ? mask : NULL, l, why)) return -1;
            if (has_mask) m = 5;
        }
    }
    char method[32];
    snprintf(method, sizeof method, "%.*s", (int)f[m].n, f[m].p);
    if (strcmp(method, "trust") == 0) l->method = HBA_TRUST;
    else if (strcmp(method, "reject") == 0) l->method = HBA_REJECT;
    else if (strcmp(method, "scram-sha-256") == 0) l->method = HBA_SCRAM;
    else if (strcmp(method, "md5") == 0) l->method = HBA_MD5;
    else if (strcmp(method, "password") == 0) l->method = HBA_PASSWORD;
    else if (strcmp(method, "cert") == 0) {
        if (l->type != 's') {
            *why = "cert authentication is only supported on hostssl connections";
            return -1;
        }
        l->method = HBA_CERT;
        l->clientcert = HBA_CERT_VERIFY_FULL;
    } else if (strcmp(method, "peer") == 0 || strcmp(method, "ident") == 0 ||
             strcmp(method, "gss") == 0 || strcmp(method, "sspi") == 0 || strcmp(method, "ldap") == 0 ||
             strcmp(method, "radius") == 0 || strcmp(method, "pam") == 0 || strcmp(method, "bsd") == 0) {
        *why = "authentication method not supported by DriftDB (trust, reject, scram-sha-256, md5, password, cert "
               "are)";
        return -1;
    } else {
        *why = "invalid authentication method";
        return -1;
    }
    for (int i = m + 1; i < nf; i++) {
        char opt[64];
        snprintf(opt, sizeof opt, "%.*s", (int)f[i].n, f[i].p);
        if (strncmp(opt, "clientcert=", 11) != 0) {
            *why = strchr(opt, '=') ? "authentication option not supported by DriftDB (clientcert is)"
                                    : "authentication option not in name=value format";
            return -1;
        }
        if (l->type != 's') {
            *why = "clientcert can only be configured for \"hostssl\" rows";
            return -1;
        }
        const char *v = opt + 11;
        if (strcmp(v, "verify-full") == 0) {
            l->clientcert = HBA_CERT_VERIFY_FULL;
        } else if (strcmp(v, "verify-ca") == 0) {
            if (l->method == HBA_CERT) {
                *why = "clientcert only accepts \"verify-full\" when using \"cert\" authentication";
                return -1;
            }
            l->clientcert = HBA_CERT_VERIFY_CA;
        } else {
            *why = "invalid value for clientcert (verify-ca or verify-full)";
            return -1;
        }
    }
    return 0;
}

static int add_line(Hba *h, int *cap, const HbaLine *l)
{
    if (h->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        HbaLine *v = dd_realloc(h->lines, sizeof(HbaLine) * (size_t)*cap);
        if (!v) return -1;
        h->lines = v;
    }
    h->lines[h->n++] = *l;
    return 0;
}

int hba_load(const char *path, Hba **out, char *err, size_t errsz)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp) return set_err(err, errsz, path, 0, "could not open: %s", strerror(errno));
    Hba *h = dd_calloc(1, sizeof *h);
    if (!h || !(h->path = dd_strdup(path))) {
        dd_free(h);
        fclose(fp);
        return set_err(err, errsz, path, 0, "out of memory");
    }
    int cap = 0, lineno = 0, first = 0, rc = 0;
    char line[8192], logical[16384];
    size_t ll = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[--n] = 0;
        else if (!feof(fp)) {
            rc = set_err(err, errsz, path, lineno, "line too long");
            break;
        }
        if (!ll) first = lineno;
        bool cont = n && line[n - 1] == '\\';
        if (cont) line[--n] = 0;
        if (ll + n + 2 > sizeof logical) {
            rc = set_err(err, errsz, path, lineno, "line too long");
            break;
        }
        memcpy(logical + ll, line, n);
        ll += n;
        logical[ll] = 0;
        if (cont) {
            logical[ll++] = ' ';
            logical[ll] = 0;
            continue;
        }
        ll = 0;
        Field f[HBA_MAX_FIELDS];
        int nf;
        int sr = split_fields(logical, f, &nf);
        if (sr) {
            rc = set_err(err, errsz, path, first, sr == -1 ? "unterminated quoted string" : "too many fields");
            break;
        }
        if (nf == 0) continue;
        HbaLine l;
        memset(&l, 0, sizeof l);
        l.lineno = first;
        const char *why = NULL;
        if (parse_line(f, nf, &l, &why)) {
            line_free(&l);
            rc = set_err(err, errsz, path, first, "%s", why);
            break;
        }
        if (add_line(h, &cap, &l)) {
            line_free(&l);
            rc = set_err(err, errsz, path, first, "out of memory");
            break;
        }
    }
    if (!rc && ferror(fp)) rc = set_err(err, errsz, path, lineno, "could not read: %s", strerror(errno));
    fclose(fp);
    if (rc) {
        hba_free(h);
        return -1;
    }
    atomic_init(&h->refs, 1);
    *out = h;
    return 0;
}

Hba *hba_ref(Hba *h)
{
    atomic_fetch_add(&h->refs, 1);
    return h;
}

Hba *hba_default(void)
{
    static const char *const rules[][5] = {
        {"local", "all", "all", NULL, "trust"},
        {"host", "all", "all", "127.0.0.1/8", "trust"},
        {"host", "all", "all", "::1/128", "trust"},
    };
    Hba *h = dd_calloc(1, sizeof *h);
    if (!h) return NULL;
    int cap = 0;
    for (size_t i = 0; i < DD_ARRAY_LEN(rules); i++) {
        Field f[5];
        int nf = 0;
        for (int k = 0; k < 5; k++)
            if (rules[i][k]) f[nf++] = (Field){rules[i][k], strlen(rules[i][k])};
        HbaLine l;
        memset(&l, 0, sizeof l);
        const char *why;
        if (parse_line(f, nf, &l, &why) || add_line(h, &cap, &l)) {
            line_free(&l);
            hba_free(h);
            return NULL;
        }
    }
    atomic_init(&h->refs, 1);
    return h;
}

/* ---- matching ---- */

/* The peer's address bytes: IPv4 (4) or IPv6 (16); a v4-mapped IPv6
 * address also as IPv4 in v4 (returns 16, *has_v4 true). */
static int peer_bytes(const struct sockaddr_storage *ss, u8 out[16], u8 v4[4], bool *has_v4)
{
    *has_v4 = false;
    if (ss->ss_family == AF_INET) {
        memcpy(out, &((const struct sockaddr_in *)ss)->sin_addr, 4);
        memcpy(v4, out, 4);
        *has_v4 = true;
        return 4;
    }
    if (ss->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
        memcpy(out, a, 16);
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            memcpy(v4, (const u8 *)a + 12, 4);
            *has_v4 = true;
        }
        return 16;
    }
    return 0;
}

static bool in_net(const u8 *a, const u8 *net, const u8 *mask, int len)
{
    for (int i = 0; i < len; i++)
        if ((a[i] & mask[i]) != (net[i] & mask[i])) return false;
    return true;
}

static bool addr_matches(const HbaLine *l, const struct sockaddr_storage *peer)
{
    u8 a[16], v4[4];
    bool has_v4;
    int len = peer_bytes(peer, a, v4, &has_v4);
    if (!len) return false;
    if (l->addr_kind == 'a') return true;
    if (l->addr_kind == 'c') {
        if (l->family == AF_INET) return has_v4 && in_net(v4, l->addr, l->mask, 4);
        /* an IPv4 client of a dual-stack listener (::ffff:a.b.c.d) is an
         * IPv4 client, as on PostgreSQL's separate IPv4 socket: IPv6
         * lines (::/0 included) are not for it */
        return len == 16 && !has_v4 && in_net(a, l->addr, l->mask, 16);
    }
    /* samehost / samenet: against this machine's interfaces */
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) != 0) return false;
    bool yes = false;
    for (struct ifaddrs *i = ifs; i && !yes; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        u8 ia[16], im[16], iv4[4];
        bool iv;
        int il = peer_bytes((const struct sockaddr_storage *)i->ifa_addr, ia, iv4, &iv);
        if (!il) continue;
        if (l->addr_kind == 'h') {
            memset(im, 0xff, sizeof im);
        } else {
            if (!i->ifa_netmask) continue;
            u8 mv4[4];
            bool mv;
            if (peer_bytes((const struct sockaddr_storage *)i->ifa_netmask, im, mv4, &mv) != il) continue;
        }
        if (il == 4) yes = has_v4 && in_net(v4, ia, im, 4);
        else yes = len == 16 && in_net(a, ia, im, 16);
    }
    freeifaddrs(ifs);
    return yes;
}

/* DATABASE is "all" or "replication" (hba_load refuses the rest);
 * replication connections are refused before a rule is looked for. */
static bool db_matches(const HbaLine *l)
{
    for (int i = 0; i < l->ndbs; i++)
        if (strcmp(l->dbs[i], "all") == 0) return true;
    return false;
}

static bool user_matches(const HbaLine *l, driftdb *db, const char *user)
{
    for (int i = 0; i < l->nusers; i++) {
        const char *u = l->users[i];
        if (u[0] == '"') {
            if (strcmp(u + 1, user) == 0) return true;
        } else if (strcmp(u, "all") == 0) {
            return true;
        } else if (u[0] == '+') {
            if (driftdb_role_is_member(db, user, u + 1)) return true;
        } else if (strcmp(u, user) == 0) {
            return true;
        }
    }
    return false;
}

const HbaLine *hba_match(const Hba *h, driftdb *db, const struct sockaddr_storage *peer, bool ssl,
                         const char *database, const char *user)
{
    (void)database;   /* every rule's DATABASE is all (hba_load) */
    for (int i = 0; i < h->n; i++) {
        const HbaLine *l = &h->lines[i];
        if (peer == NULL) {
            if (l->type != 'l') continue;
        } else {
            if (l->type == 'l' || (l->type == 's' && !ssl) || (l->type == 'n' && ssl)) continue;
            if (!addr_matches(l, peer)) continue;
        }
        if (db_matches(l) && user_matches(l, db, user)) return l;
    }
    return NULL;
}
