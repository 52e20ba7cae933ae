/*
 * hba.h - which clients may connect and how they prove who they are: a
 * file in PostgreSQL's pg_hba.conf format (`driftdb-server --hba FILE`),
 * or, without one, trust for the Unix socket and loopback and nothing
 * else.
 *
 * Lines: TYPE DATABASE USER [ADDRESS [MASK]] METHOD, '#' starts a comment,
 * a line ending in '\' continues on the next.
 *   TYPE      local | host | hostssl (TLS connections only; none while
 *             the server has no --tls-cert) | hostnossl (plaintext TCP
 *             connections only)
 *   DATABASE  all (or replication, which matches nothing): a server
 *             serves one database under any name a client gives, so a
 *             rule by name, sameuser or samerole would let the client
 *             choose its rule; they are refused at load
 *   USER      all | a name | +role (its members) | a list of them
 *   ADDRESS   all | samehost | samenet | an address with /bits | an
 *             address followed by a MASK | a host name is not supported
 *   METHOD    trust | reject | scram-sha-256 | md5 | password | cert
 *             (hostssl only: the client's certificate, verified against
 *             --tls-ca, must have the user name as its CN)
 *   OPTIONS   clientcert=verify-ca (hostssl only: a client certificate the
 *             CA signed is required besides the method) or
 *             clientcert=verify-full (and its CN must be the user name);
 *             cert implies verify-full.  Other options are refused.
 * The first line that matches decides; no match refuses the connection.
 */
#ifndef DD_HBA_H
#define DD_HBA_H

#include "driftdb.h"
#include "../util/base.h"

#include <stdatomic.h>
#include <sys/socket.h>

typedef enum HbaMethod { HBA_TRUST, HBA_REJECT, HBA_SCRAM, HBA_MD5, HBA_PASSWORD, HBA_CERT } HbaMethod;

/* clientcert=: what the line asks of a client certificate. */
typedef enum HbaClientCert { HBA_CERT_OFF, HBA_CERT_VERIFY_CA, HBA_CERT_VERIFY_FULL } HbaClientCert;

typedef struct HbaLine {
    char type;               /* 'l' local, 'h' host, 's' hostssl, 'n' hostnossl */
    char **dbs; int ndbs;
    char **users; int nusers;
    char addr_kind;          /* 'a' all, 'h' samehost, 'n' samenet, 'c' address and mask */
    int family;              /* AF_INET / AF_INET6 for 'c' */
    u8 addr[16], mask[16];
    HbaMethod method;
    HbaClientCert clientcert;
    int lineno;
} HbaLine;

typedef struct Hba {
    HbaLine *lines;
    int n;
    char *path;              /* NULL: the built-in default */
    atomic_int refs;         /* holders: the server, and each connection that
                                took the rules at accept (SIGHUP swaps the
                                server's; the last holder frees them) */
} Hba;

/* Reads path.  0, or -1 with a message "path:line: what" in err.  The
 * rules have one holder, the caller. */
int hba_load(const char *path, Hba **out, char *err, size_t errsz);
/* The built-in rules: local all all trust, host all all 127.0.0.1/32
 * trust, host all all ::1/128 trust.  NULL when out of memory. */
Hba *hba_default(void);
/* One more holder of h; returns h.  Any thread. */
Hba *hba_ref(Hba *h);
/* Drops a holder; the last one frees the rules.  Any thread. */
void hba_free(Hba *h);

/* The line for a connection (peer NULL: the Unix socket), or NULL. */
const HbaLine *hba_match(const Hba *h, driftdb *db, const struct sockaddr_storage *peer, bool ssl,
                         const char *database, const char *user);
const char *hba_method_name(HbaMethod m);

#endif
