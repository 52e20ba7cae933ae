/*
 * settings.c - session settings (SET / RESET / SHOW), with PostgreSQL's
 * names, defaults and validation for the parameters clients rely on.
 *
 * Names are case-insensitive and stored in their canonical spelling.
 * Unknown names are 42704, except dotted custom names ("app.x"), which
 * PostgreSQL also accepts.  drift.system_time is the session point in time
 * of docs/time-travel.md §5 ("" = the present).  Settings that shape values
 * (TimeZone, DateStyle, IntervalStyle, extra_float_digits) are also kept
 * parsed in the session's ValueCtx.  RESET returns to the built-in
 * default, or to the value a client's startup packet gave
 * (driftdb_session_keep_settings), as PostgreSQL.
 */
#include "engine_int.h"
#include "../util/alloc.h"
#include <string.h>
#include <stdlib.h>
#include <strings.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

typedef struct SettingDef {
    const char *name;
    const char *def;
    bool readonly;   /* reported but cannot be SET */
} SettingDef;

static const SettingDef defs[] = {
    {"server_version", "15.0", true},
    {"server_version_num", "150000", true},
    {"server_encoding", "UTF8", true},
    {"client_encoding", "UTF8", false},
    {"DateStyle", "ISO, MDY", false},
    {"IntervalStyle", "postgres", false},
    {"TimeZone", "UTC", false},
    {"integer_datetimes", "on", true},
    {"standard_conforming_strings", "on", false},
    {"application_name", "", false},
    {"search_path", "\"$user\", public", false},
    {"extra_float_digits", "1", false},
    {"is_superuser", "on", true},
    {"session_authorization", "", true},
    /* SET ROLE: current_user, whose privileges apply ("none": the session's) */
    {"role", "none", false},
    {"transaction_isolation", "read committed", false},
    {"default_transaction_isolation", "read committed", false},
    {"transaction_read_only", "off", false},
    {"default_transaction_read_only", "off", false},
    {"statement_timeout", "0", false},
    {"lock_timeout", "0", false},
    {"deadlock_timeout", "1s", false},
    {"idle_in_transaction_session_timeout", "0", false},
    {"idle_session_timeout", "0", false},
    /* a server setting (driftdb-server --log-min-duration-statement, given
     * to each session by driftdb_session_config) that a superuser may SET
     * for a session, as PostgreSQL's SUSET parameters */
    {"log_min_duration_statement", "-1", false},
    {"bytea_output", "hex", false},
    /* how CREATE / ALTER ROLE ... PASSWORD stores a password (sql/plan/role.c) */
    {"password_encryption", "scram-sha-256", false},
    {"max_identifier_length", "63", true},
    /* the server's: its TCP port, its --max-connections, whether it takes
     * TLS (without a server: DriftDB's default port and session limit) */
    {"port", "5433", true},
    {"max_connections", "100", true},
    {"ssl", "off", true},
    {"max_index_keys", "32", true},   /* columns of an index (src/sql/plan, INDEX_MAX_KEYS) */
    {"lc_messages", "C", false},
    /* the least severe notice a client is sent (driftdb_result_notice) */
    {"client_min_messages", "notice", false},
    {"lc_monetary", "C", false},
    {"lc_numeric", "C", false},
    {"lc_time", "C", false},
    {"datestyle", NULL, false},   /* alias marker (never matched: see canonical()) */
    {"drift.system_time", "", false},
    /* a larger default than PostgreSQL's 4MB: a row held in memory takes
     * more here (docs/query-engine.md, "Spilling") */
    {"work_mem", "64MB", false},
    /* the temporary bytes a statement's spilling may write at once (kB,
     * -1: no limit); superuser-only, as PostgreSQL's */
    {"temp_file_limit", "-1", false},
    {"enable_hashjoin", "on", false},
    {"enable_nestloop", "on", false},
    {"enable_indexscan", "on", false},
    {"enable_seqscan", "on", false},
    {"enable_sort", "on", false},
    /* aggregates over scans in batches of column vectors (exec/batch.c) */
    {"drift.batch", "on", false},
    /* threads beside the statement's own for a large aggregate (executor.c) */
    {"max_parallel_workers_per_gather", "2", false},
    /* whether a prepared query's plan is kept for its later runs
     * (session.c, plan_from_cache): auto and force_generic_plan keep it
     * when it can run again, force_custom_plan plans every run */
    {"plan_cache_mode", "auto", false},
    /* PostgreSQL planner settings that tools send: accepted, no effect
     * (docs/query-engine.md) */
    {"enable_mergejoin", "on", false},
    {"enable_bitmapscan", "on", false},
    {"enable_indexonlyscan", "on", false},
    {"enable_material", "on", false},
    {"enable_memoize", "on", false},
    {"enable_tidscan", "on", false},
    {"enable_partitionwise_join", "off", false},
    {"jit", "off", false},
    /* settings pg_dump sends: accepted, no effect (scans have no
     * synchronized starts; DriftDB has no row-level security) */
    {"synchronize_seqscans", "on", false},
    {"row_security", "on", false},
    /* and that its output sets before it creates anything: DriftDB has no
     * function bodies, XML, tablespaces or table access methods to choose */
    {"check_function_bodies", "on", false},
    {"xmloption", "content", false},
    {"default_tablespace", "", false},
    {"default_table_access_method", "heap", false},
    {"geqo", "on", false},
    {"random_page_cost", "4", false},
    {"seq_page_cost", "1", false},
    {"cpu_tuple_cost", "0.01", false},
    {"cpu_index_tuple_cost", "0.005", false},
    {"cpu_operator_cost", "0.0025", false},
    {"effective_cache_size", "4GB", false},
    {"default_statistics_target", "100", false},
    {"join_collapse_limit", "8", false},
    {"from_collapse_limit", "8", false},
};

/* Whether d is one of the server's read-only settings above, which
 * driftdb_session_config gives */
static bool server_def(const SettingDef *d)
{
    return d && (strcmp(d->name, "port") == 0 || strcmp(d->name, "max_connections") == 0 ||
                 strcmp(d->name, "ssl") == 0);
}

static const SettingDef *find_def(const char *name)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(defs); i++)
        if (defs[i].def && strcasecmp(defs[i].name, name) == 0) return &defs[i];
    return NULL;
}

/* FNV-1a of name folded to lower case (ASCII, as strcasecmp) */
static u32 setting_hash(const char *name)
{
    u32 h = 2166136261u;
    for (const u8 *p = (const u8 *)name; *p; p++) h = (h ^ (u32)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p)) * 16777619u;
    return h;
}

/* The slot of name in s->setting_slot: where it is, or the empty slot
 * where it would go. */
static u32 setting_probe(driftdb_session *s, const char *name)
{
    u32 i = setting_hash(name) & (SETTING_SLOTS - 1);
    while (s->setting_slot[i] && strcasecmp(s->settings[s->setting_slot[i] - 1].name, name) != 0)
        i = (i + 1) & (SETTING_SLOTS - 1);
    return i;
}

static Setting *find_setting(driftdb_session *s, const char *name)
{
    u8 k = s->setting_slot[setting_probe(s, name)];
    return k ? &s->settings[k - 1] : NULL;
}

static int put_setting(driftdb_session *s, const char *name, const char *value)
{
    Setting *st = find_setting(s, name);
    char *v = dd_strdup(value);
    if (!v) return DD_ENOMEM;
    s->settings_gen++;
    if (st) { dd_free(st->value); st->value = v; return DD_OK; }
    if (s->nsettings == SETTING_MAX) { dd_free(v); return DD_EPROGRAM_LIMIT; }
    char *n = dd_strdup(name);
    if (!n) { dd_free(v); return DD_ENOMEM; }
    s->setting_slot[setting_probe(s, name)] = (u8)(s->nsettings + 1);
    s->settings[s->nsettings].name = n;
    s->settings[s->nsettings].value = v;
    s->settings[s->nsettings].reset = NULL;
    s->nsettings++;
    return DD_OK;
}

int settings_init(driftdb_session *s);
int settings_init(driftdb_session *s)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(defs); i++) {
        if (!defs[i].def) continue;
        const char *v = defs[i].def;
        if (strcmp(defs[i].name, "session_authorization") == 0) v = s->user;
        if (strcmp(defs[i].name, "application_name") == 0 && s->app) v = s->app;
        int rc = put_setting(s, defs[i].name, v);
        if (rc) return rc;
    }
    static const char *const hot[HOT__COUNT] = {
        [HOT_ROLE] = "role", [HOT_SYSTEM_TIME] = "drift.system_time",
        [HOT_READ_ONLY] = "default_transaction_read_only", [HOT_ISOLATION] = "default_transaction_isolation",
        [HOT_STATEMENT_TIMEOUT] = "statement_timeout", [HOT_APPLICATION_NAME] = "application_name",
        [HOT_PLAN_CACHE_MODE] = "plan_cache_mode",
    };
    for (int i = 0; i < HOT__COUNT; i++) {
        Setting *st = find_setting(s, hot[i]);
        if (!st) return DD_EINTERNAL;   /* every one has a default in defs */
        s->hot[i] = (u8)(st - s->settings);
    }
    return DD_OK;
}

const char *session_hot(const driftdb_session *s, int which) { return s->settings[s->hot[which]].value; }

void settings_free(driftdb_session *s);
void settings_free(driftdb_session *s)
{
    for (int i = 0; i < s->nsettings; i++) {
        dd_free(s->settings[i].name);
        dd_free(s->settings[i].value);
        dd_free(s->settings[i].reset);
    }
    s->nsettings = 0;
    memset(s->setting_slot, 0, sizeof s->setting_slot);
}

static bool setting_on(driftdb_session *s, const char *name)
{
    Setting *st = find_setting(s, name);
    return st && (strcasecmp(st->value, "on") == 0 || strcasecmp(st->value, "true") == 0);
}

bool session_default_read_only(driftdb_session *s)
{
    const char *v = session_hot(s, HOT_READ_ONLY);
    return strcasecmp(v, "on") == 0 || strcasecmp(v, "true") == 0;
}

static int iso_code(const char *v)
{
    return !v ? ISO_READ_COMMITTED
           : strcasecmp(v, "serializable") == 0 ? ISO_SERIALIZABLE
           : strcasecmp(v, "repeatable read") == 0 ? ISO_REPEATABLE_READ : ISO_READ_COMMITTED;
}

int session_default_iso(driftdb_session *s)
{
    return iso_code(session_hot(s, HOT_ISOLATION));
}

/* transaction_isolation as PostgreSQL shows it: the transaction's level,
 * a new one's from default_transaction_isolation */
static const char *iso_now(driftdb_session *s)
{
    bool in_block = s->state == TXN_BLOCK || s->state == TXN_FAILED;
    if (!in_block) {
        Setting *st = find_setting(s, "default_transaction_isolation");
        return st ? st->value : "read committed";
    }
    return s->iso == ISO_SERIALIZABLE ? "serializable"
           : s->iso == ISO_REPEATABLE_READ ? "repeatable read" : "read committed";
}

/* transaction_read_only as PostgreSQL shows it: the transaction's mode, a
 * new one's from default_transaction_read_only */
static const char *read_only_now(driftdb_session *s)
{
    bool in_block = s->state == TXN_BLOCK || s->state == TXN_FAILED;
    bool ro = in_block ? s->block_read_only || setting_on(s, "transaction_read_only") : session_default_read_only(s);
    return ro ? "on" : "off";
}

static bool current_is_superuser(driftdb_session *s);

const char *driftdb_session_setting(driftdb_session *s, const char *name)
{
    if (strcasecmp(name, "transaction_read_only") == 0) return read_only_now(s);
    /* the current role's (SET ROLE's), as PostgreSQL's ParameterStatus */
    if (strcasecmp(name, "is_superuser") == 0) return current_is_superuser(s) ? "on" : "off";
    if (strcasecmp(name, "transaction_isolation") == 0) return iso_now(s);
    Setting *st = find_setting(s, name);
    return st ? st->value : NULL;
}

uint64_t driftdb_session_settings_version(const driftdb_session *s) { return s->settings_gen; }

bool settings_nth(driftdb_session *s, int i, const char **name, const char **value, const char **boot, bool *readonly);
bool settings_nth(driftdb_session *s, int i, const char **name, const char **value, const char **boot, bool *readonly)
{
    int k = 0;
    for (size_t d = 0; d < DD_ARRAY_LEN(defs); d++) {
        /* is_superuser is not in pg_settings or SHOW ALL (PostgreSQL's
         * GUC_NO_SHOW_ALL): SHOW and current_setting read it */
        if (!defs[d].def || strcmp(defs[d].name, "is_superuser") == 0 || k++ != i) continue;
        *name = defs[d].name;
        *value = driftdb_session_setting(s, defs[d].name);
        if (!*value) *value = defs[d].def;
        *boot = defs[d].def;
        *readonly = defs[d].readonly;
        return true;
    }
    return false;
}

int driftdb_session_keep_settings(driftdb_session *s)
{
    for (int i = 0; i < s->nsettings; i++) {
        Setting *st = &s->settings[i];
        const SettingDef *d = find_def(st->name);
        char *r = NULL;
        bool kept = d ? !d->readonly && strcmp(st->value, d->def) != 0 : st->value[0] != '\0';
        if (kept && !(r = dd_strdup(st->value))) return DRIFTDB_ERROR;
        dd_free(st->reset);
        st->reset = r;
    }
    return DRIFTDB_OK;
}

/* Applies the TimeZone setting to the session's value context. */
static bool apply_timezone(driftdb_session *s, const char *value)
{
    ValueCtx vc;
    memset(&vc, 0, sizeof(vc));
    arena_reset(&s->tzarena);
    vc.arena = &s->tzarena;
    if (!tz_parse(value, &vc)) return false;
    s->vctx.tz_offset_s = vc.tz_offset_s;
    s->vctx.tz_name = vc.tz_name;
    s->vctx.tz_abbr = vc.tz_abbr;
    return true;
}

/* A time setting ("1500", "1500ms", "2 s", "5min", "1h", "1d"; a bare
 * number is ms) in ms.  Returns false when it is not one. */
static bool parse_ms(const char *value, i64 *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno || end == value) return false;
    while (*end == ' ') end++;
    static const struct { const char *unit; double ms; } units[] = {
        {"", 1}, {"us", 0.001}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000},
    };
    for (size_t i = 0; i < DD_ARRAY_LEN(units); i++) {
        if (strcmp(end, units[i].unit) != 0) continue;
        double ms = v * units[i].ms;
        if (ms != ms || ms < -1 || ms > 4e12) return false;
        /* PostgreSQL rounds to the nearest unit */
        *out = (i64)(ms < 0 ? ms - 0.5 : ms + 0.5);
        return true;
    }
    return false;
}

/* ms as PostgreSQL shows a time setting: the largest unit that divides it. */
static const char *show_ms(i64 ms, char *buf)
{
    static const struct { const char *unit; i64 ms; } units[] = {
        {"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000},
    };
    if (ms != 0)
        for (size_t i = 0; i < DD_ARRAY_LEN(units); i++)
            if (ms % units[i].ms == 0) {
                snprintf(buf, 24, "%lld%s", (long long)(ms / units[i].ms), units[i].unit);
                return buf;
            }
    snprintf(buf, 24, ms ? "%lldms" : "%lld", (long long)ms);
    return buf;
}

static int timeslot(const char *canon)
{
    return canon[0] == 's' ? 0 : canon[0] == 'l' ? 1 : canon[0] == 'd' ? 4 : strcmp(canon, "idle_session_timeout") ? 2 : 3;
}

i64 settings_ms(const char *value);
i64 settings_ms(const char *value)
{
    i64 ms;
    return parse_ms(value, &ms) ? ms : 0;
}

/*
 * DateStyle, as PostgreSQL's check_datestyle: a comma-separated list of
 * key words (elements may be double-quoted), each giving the output style
 * (ISO, SQL, Postgres, German) or the field order of ambiguous input (YMD,
 * DMY / Euro..., MDY / US / NonEuro...), or DEFAULT; what the list leaves
 * out keeps its current value, and German alone also means DMY.  Sets the
 * session's value context; *out is PostgreSQL's canonical "SQL, DMY".
 */
static int datestyle_check(driftdb_session *s, const char *value, const char **out, DdError *err)
{
    static const char *const names[] = {
        [DATESTYLE_ISO] = "ISO", [DATESTYLE_SQL] = "SQL", [DATESTYLE_POSTGRES] = "Postgres", [DATESTYLE_GERMAN] = "German",
    };
    static const char *const orders[] = {[DATEORDER_MDY] = "MDY", [DATEORDER_DMY] = "DMY", [DATEORDER_YMD] = "YMD"};
    int style = s->vctx.date_style, order = s->vctx.date_order;
    bool have_style = false, have_order = false, conflict = false;
    const char *p = value;
    while (*p == ' ' || *p == '\t') p++;
    while (*p) {
        char tok[64];
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
                if (*p == '"') p++;
                if (n < sizeof tok - 1) tok[n++] = *p;
            }
            if (!*p++ || n == 0) goto syntax;
        } else {
            for (; *p && *p != ',' && *p != ' ' && *p != '\t'; p++)
                if (n < sizeof tok - 1) tok[n++] = *p;
            if (n == 0) goto syntax;
        }
        tok[n] = '\0';
        while (*p == ' ' || *p == '\t') p++;
        if (*p == ',') {
            p++;
            while (*p == ' ' || *p == '\t') p++;
            if (!*p) goto syntax;
        } else if (*p) {
            goto syntax;
        }
        int st = -1, od = -1;
        if (!strcasecmp(tok, "ISO")) st = DATESTYLE_ISO;
        else if (!strcasecmp(tok, "SQL")) st = DATESTYLE_SQL;
        else if (!strncasecmp(tok, "POSTGRES", 8)) st = DATESTYLE_POSTGRES;
        else if (!strcasecmp(tok, "GERMAN")) st = DATESTYLE_GERMAN;
        else if (!strcasecmp(tok, "YMD")) od = DATEORDER_YMD;
        else if (!strcasecmp(tok, "DMY") || !strncasecmp(tok, "EURO", 4)) od = DATEORDER_DMY;
        else if (!strcasecmp(tok, "MDY") || !strcasecmp(tok, "US") || !strncasecmp(tok, "NONEURO", 7)) od = DATEORDER_MDY;
        else if (!strcasecmp(tok, "DEFAULT")) {
            /* what RESET gives: the startup value ("SQL, DMY"), else "ISO, MDY" */
            const Setting *cur = find_setting(s, "DateStyle");
            int dst = DATESTYLE_ISO, dor = DATEORDER_MDY;
            for (int i = 0; cur && cur->reset && i < (int)DD_ARRAY_LEN(names); i++)
                if (!strncmp(cur->reset, names[i], strlen(names[i])) && cur->reset[strlen(names[i])] == ',') dst = i;
            for (int i = 0; cur && cur->reset && i < (int)DD_ARRAY_LEN(orders); i++)
                if (strlen(cur->reset) > 3 && !strcmp(cur->reset + strlen(cur->reset) - 3, orders[i])) dor = i;
            if (!have_style) style = dst;
            if (!have_order) order = dor;
            continue;
        } else {
            dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"DateStyle\": \"%s\"", value);
            dd_err_detail(err, "Unrecognized key word: \"%s\".", tok);
            return DD_EINVALID_PARAM;
        }
        if (st >= 0) {
            if (have_style && style != st) conflict = true;
            style = st;
            have_style = true;
            if (st == DATESTYLE_GERMAN && !have_order) order = DATEORDER_DMY;
        } else {
            if (have_order && order != od) conflict = true;
            order = od;
            have_order = true;
        }
    }
    if (conflict) {
        dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"DateStyle\": \"%s\"", value);
        dd_err_detail(err, "Conflicting \"datestyle\" specifications.");
        return DD_EINVALID_PARAM;
    }
    s->vctx.date_style = (u8)style;
    s->vctx.date_order = (u8)order;
    snprintf(s->datestyle, sizeof s->datestyle, "%s, %s", names[style], orders[order]);
    *out = s->datestyle;
    return DD_OK;
syntax:
    dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"DateStyle\": \"%s\"", value);
    dd_err_detail(err, "List syntax is invalid.");
    return DD_EINVALID_PARAM;
}

/* Checks and normalizes a value; returns the text to store.  typed: the
 * name as the statement spelled it (some of PostgreSQL's messages use it). */
static int validate(driftdb_session *s, const char *canon, const char *typed, const char *value, const char **out,
                    DdError *err)
{
    *out = value;
    if (strcmp(canon, "TimeZone") == 0) {
        if (strcasecmp(value, "local") == 0 || strcasecmp(value, "default") == 0) value = "UTC";
        if (!apply_timezone(s, value))
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"TimeZone\": \"%s\"", value);
        *out = value;
        return DD_OK;
    }
    if (strcmp(canon, "DateStyle") == 0) return datestyle_check(s, value, out, err);
    if (strcmp(canon, "transaction_isolation") == 0 || strcmp(canon, "default_transaction_isolation") == 0) {
        static const char *const levels[] = {"read uncommitted", "read committed", "repeatable read",
                                             "serializable"};
        const char *lv = NULL;
        for (size_t i = 0; i < DD_ARRAY_LEN(levels); i++)
            if (strcasecmp(value, levels[i]) == 0) lv = levels[i];
        if (!lv) {
            dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": \"%s\"", typed, value);
            dd_err_hint(err, "Available values: serializable, repeatable read, read committed, read uncommitted.");
            return DD_EINVALID_PARAM;
        }
        *out = lv;
        if (strcmp(canon, "transaction_isolation") == 0 && (s->state == TXN_BLOCK || s->state == TXN_FAILED)) {
            /* the transaction's level, before it reads (PostgreSQL's rule) */
            if (s->snap || !ws_is_empty(&s->ws))
                return dd_err(err, DD_EACTIVE_TXN, -1, "SET TRANSACTION ISOLATION LEVEL must be called before any query");
            s->iso = (u8)iso_code(lv);
        }
        return DD_OK;
    }
    if (strcmp(canon, "client_encoding") == 0) {
        if (strcasecmp(value, "utf8") != 0 && strcasecmp(value, "utf-8") != 0 && strcasecmp(value, "unicode") != 0)
            return dd_err(err, DD_EFEATURE, -1, "client encoding \"%s\" is not supported: only UTF8 is", value);
        *out = "UTF8";
        return DD_OK;
    }
    if (strcmp(canon, "IntervalStyle") == 0) {
        /* PostgreSQL names the parameter as the user spelled it here */
        static const char *const styles[] = {
            [INTERVALSTYLE_POSTGRES] = "postgres", [INTERVALSTYLE_POSTGRES_VERBOSE] = "postgres_verbose",
            [INTERVALSTYLE_SQL_STANDARD] = "sql_standard", [INTERVALSTYLE_ISO_8601] = "iso_8601",
        };
        for (size_t i = 0; i < DD_ARRAY_LEN(styles); i++)
            if (strcasecmp(value, styles[i]) == 0) {
                s->vctx.interval_style = (u8)i;
                *out = styles[i];
                return DD_OK;
            }
        dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": \"%s\"", typed, value);
        dd_err_hint(err, "Available values: postgres, postgres_verbose, sql_standard, iso_8601.");
        return DD_EINVALID_PARAM;
    }
    if (strcmp(canon, "role") == 0) {
        /* PostgreSQL: the session's user may take any role it is a member
         * of (whatever INHERIT), a superuser any role */
        if (strcasecmp(value, "none") == 0) { *out = "none"; return DD_OK; }
        /* both by id: the session's user is the role it logged in as,
         * whatever its name is now, and the role is held by the id found
         * now (session_role_memo) */
        u32 id;
        bool super = false;
        if (!roles_id_of(s->db, value, &id)) return dd_err(err, DD_EINVALID_PARAM, -1, "role \"%s\" does not exist", value);
        if (!s->user_known || !roles_exists_id(s->db, s->user_id, &super) ||
            (!super && !roles_member_id(s->db, s->user_id, id)))
            return dd_err(err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied to set role \"%s\"", value);
        return session_role_memo(s, value, id);
    }
    if (strcmp(canon, "password_encryption") == 0) {
        if (strcasecmp(value, "scram-sha-256") == 0) *out = "scram-sha-256";
        else if (strcasecmp(value, "md5") == 0) *out = "md5";
        else {
            dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"password_encryption\": \"%s\"", value);
            dd_err_hint(err, "Available values: md5, scram-sha-256.");
            return DD_EINVALID_PARAM;
        }
        return DD_OK;
    }
    if (strcmp(canon, "plan_cache_mode") == 0) {
        static const char *const modes[] = {"auto", "force_generic_plan", "force_custom_plan"};
        for (size_t i = 0; i < DD_ARRAY_LEN(modes); i++)
            if (strcasecmp(value, modes[i]) == 0) {
                *out = modes[i];
                return DD_OK;
            }
        dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"plan_cache_mode\": \"%s\"", value);
        dd_err_hint(err, "Available values: auto, force_generic_plan, force_custom_plan.");
        return DD_EINVALID_PARAM;
    }
    if (strcmp(canon, "client_min_messages") == 0) {
        static const char *const levels[] = {"debug5", "debug4", "debug3", "debug2", "debug1",
                                             "log",    "notice", "warning", "error"};
        for (size_t i = 0; i < DD_ARRAY_LEN(levels); i++)
            if (strcasecmp(value, levels[i]) == 0) {
                *out = levels[i];
                return DD_OK;
            }
        /* PostgreSQL's synonyms */
        if (strcasecmp(value, "debug") == 0) { *out = "debug2"; return DD_OK; }
        if (strcasecmp(value, "info") == 0) { *out = "info"; return DD_OK; }   /* ranks as notice */
        dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"client_min_messages\": \"%s\"", value);
        dd_err_hint(err, "Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error.");
        return DD_EINVALID_PARAM;
    }
    if (strcmp(canon, "standard_conforming_strings") == 0) {
        if (strcasecmp(value, "on") != 0 && strcasecmp(value, "true") != 0)
            return dd_err(err, DD_EFEATURE, -1, "standard_conforming_strings can only be on");
        *out = "on";
        return DD_OK;
    }
    if (strcmp(canon, "extra_float_digits") == 0) {
        char *end;
        long v = strtol(value, &end, 10);
        if (*end || v < -15 || v > 3)
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"extra_float_digits\": \"%s\"", value);
        s->vctx.float_fixed = v <= 0;
        s->vctx.float_digits = (i8)v;
        return DD_OK;
    }
    if (strcmp(canon, "statement_timeout") == 0 || strcmp(canon, "lock_timeout") == 0 ||
        strcmp(canon, "deadlock_timeout") == 0 ||
        strcmp(canon, "idle_in_transaction_session_timeout") == 0 ||
        strcmp(canon, "idle_session_timeout") == 0) {
        /* milliseconds, PostgreSQL's time units; kept as PostgreSQL shows
         * them.  statement_timeout is enforced by the engine (watchdog.c),
         * the idle timeouts by the server while it waits for the client,
         * lock_timeout and deadlock_timeout by waits for row locks
         * (rowlock.c). */
        i64 ms;
        if (!parse_ms(value, &ms))
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": \"%s\"", canon, value);
        if (ms < 0 || ms > 2147483647)
            return dd_err(err, DD_EINVALID_PARAM, -1,
                          "%lld ms is outside the valid range for parameter \"%s\" (0 .. 2147483647)", (long long)ms, canon);
        *out = show_ms(ms, s->timebuf[timeslot(canon)]);
        return DD_OK;
    }
    if (strcmp(canon, "log_min_duration_statement") == 0) {
        i64 ms;
        if (!parse_ms(value, &ms))
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": \"%s\"", canon, value);
        if (ms < -1 || ms > 2147483647)
            return dd_err(err, DD_EINVALID_PARAM, -1,
                          "%lld ms is outside the valid range for parameter \"%s\" (-1 .. 2147483647)", (long long)ms, canon);
        if (ms == -1) *out = "-1";
        else *out = show_ms(ms, s->timebuf[timeslot(canon)]);
        return DD_OK;
    }
    if (strcmp(canon, "max_parallel_workers_per_gather") == 0) {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        while (*end == ' ') end++;
        if (*end || end == value)
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": \"%s\"", canon, value);
        if (errno || v < 0 || v > 1024)
            return dd_err(err, DD_EINVALID_PARAM, -1, "%lld is outside the valid range for parameter \"%s\" (0 .. 1024)",
                          v, canon);
        return DD_OK;
    }
    if (strcmp(canon, "work_mem") == 0 || strcmp(canon, "temp_file_limit") == 0) {
        /* PostgreSQL's memory units; a bare number is kB */
        bool tfl = canon[0] == 't';
        long long lo = tfl ? -1 : 64;
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        while (*end == ' ') end++;
        long long mul = 1;
        if (!*end || !strcasecmp(end, "kB")) mul = 1;
        else if (!strcmp(end, "MB")) mul = 1024;
        else if (!strcmp(end, "GB")) mul = 1024 * 1024;
        else if (!strcmp(end, "TB")) mul = 1024LL * 1024 * 1024;
        else
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": \"%s\"", canon, value);
        if (errno || end == value || v < -1 || v > 2147483647LL / mul || v * mul < lo)
            return dd_err(err, DD_EINVALID_PARAM, -1,
                          "%lld kB is outside the valid range for parameter \"%s\" (%lld .. 2147483647)",
                          errno || v > INT64_MAX / mul ? v : v * mul, canon, lo);
        return DD_OK;
    }
    if (!strcmp(canon, "random_page_cost") || !strcmp(canon, "seq_page_cost") || !strcmp(canon, "cpu_tuple_cost") ||
        !strcmp(canon, "cpu_index_tuple_cost") || !strcmp(canon, "cpu_operator_cost") ||
        !strcmp(canon, "default_statistics_target") || !strcmp(canon, "join_collapse_limit") ||
        !strcmp(canon, "from_collapse_limit")) {
        char *end;
        double v = strtod(value, &end);
        if (*end || end == value || v < 0)
            return dd_err(err, DD_EINVALID_PARAM, -1, "invalid value for parameter \"%s\": \"%s\"", canon, value);
        return DD_OK;
    }
    if (!strcmp(canon, "jit") || !strcmp(canon, "geqo")) {
        static const char *const on[] = {"on", "true", "yes", "1"};
        static const char *const off[] = {"off", "false", "no", "0"};
        for (size_t i = 0; i < DD_ARRAY_LEN(on); i++) {
            if (!strcasecmp(value, on[i])) { *out = "on"; return DD_OK; }
            if (!strcasecmp(value, off[i])) { *out = "off"; return DD_OK; }
        }
        return dd_err(err, DD_EINVALID_PARAM, -1, "parameter \"%s\" requires a Boolean value", canon);
    }
    if (strncmp(canon, "enable_", 7) == 0 || strcmp(canon, "drift.batch") == 0) {
        static const char *const on[] = {"on", "true", "yes", "1", "t", "y"};
        static const char *const off[] = {"off", "false", "no", "0", "f", "n"};
        for (size_t i = 0; i < DD_ARRAY_LEN(on); i++) {
            if (!strcasecmp(value, on[i])) { *out = "on"; return DD_OK; }
            if (!strcasecmp(value, off[i])) { *out = "off"; return DD_OK; }
        }
        return dd_err(err, DD_EINVALID_PARAM, -1, "parameter \"%s\" requires a Boolean value", canon);
    }
    return DD_OK;
}

/* Is the session's current role (SET ROLE's, else its user) a superuser? */
static bool current_is_superuser(driftdb_session *s)
{
    u32 id;
    bool super;
    return session_role_id(s, &id) && roles_exists_id(s->db, id, &super) && super;
}

/* SET, RESET and set_config by the session's role: parameters only a
 * superuser may change (PostgreSQL's SUSET ones) are 42501 for others.
 * RESET ALL, DISCARD ALL and ROLLBACK restore values without asking. */
int settings_check_privilege(driftdb_session *s, const char *name, DdError *err);
int settings_check_privilege(driftdb_session *s, const char *name, DdError *err)
{
    const SettingDef *d = find_def(name);
    if (d && (strcmp(d->name, "log_min_duration_statement") == 0 || strcmp(d->name, "temp_file_limit") == 0) &&
        !current_is_superuser(s))
        return dd_err(err, DD_EINSUFFICIENT_PRIVILEGE, -1, "permission denied to set parameter \"%s\"", d->name);
    return DD_OK;
}

int driftdb_session_config(driftdb_session *s, const char *name, const char *value)
{
    const SettingDef *d = find_def(name);
    Setting *st = d ? find_setting(s, d->name) : NULL;
    if (!st || (d->readonly && !server_def(d))) return DRIFTDB_ERROR;
    if (server_def(d)) {   /* no SET or RESET to keep apart from it */
        if (!*value || put_setting(s, d->name, value) != DD_OK) return DRIFTDB_ERROR;
        return DRIFTDB_OK;
    }
    const char *v;
    DdError err;
    if (validate(s, d->name, d->name, value, &v, &err) != DD_OK) return DRIFTDB_ERROR;
    char *nv = dd_strdup(v);
    if (!nv) return DRIFTDB_ERROR;
    /* a value the session SET itself stays, as PostgreSQL's session
     * source outranks the configuration file's */
    const char *was = st->reset ? st->reset : d->def;
    if (strcmp(st->value, was) == 0 && put_setting(s, d->name, nv) != DD_OK) {
        dd_free(nv);
        return DRIFTDB_ERROR;
    }
    dd_free(st->reset);
    st->reset = nv;
    return DRIFTDB_OK;
}

/* SET name = value (value NULL: DEFAULT). */
int settings_set(driftdb_session *s, const char *name, const char *value, DdError *err);
int settings_set(driftdb_session *s, const char *name, const char *value, DdError *err)
{
    const SettingDef *d = find_def(name);
    const char *canon = d ? d->name : name;
    if (!d && !strchr(name, '.'))
        return dd_err(err, DD_EUNDEFINED_OBJECT, -1, "unrecognized configuration parameter \"%s\"", name);
    /* RESET SESSION AUTHORIZATION: it is the session's user already (SET
     * SESSION AUTHORIZATION to another role is 0A000) */
    if (d && !value && strcmp(canon, "session_authorization") == 0) return DD_OK;
    if (server_def(d) && strcmp(canon, "ssl") != 0)   /* ssl: a reload's, "cannot be changed now" */
        return dd_err(err, DD_ECANT_CHANGE, -1, "parameter \"%s\" cannot be changed without restarting the server",
                      canon);
    if (server_def(d))
        return dd_err(err, DD_ECANT_CHANGE, -1, "parameter \"%s\" cannot be changed now", canon);
    if (d && d->readonly)
        return dd_err(err, DD_ECANT_CHANGE, -1, "parameter \"%s\" cannot be changed", canon);
    if (!value) {
        Setting *st = find_setting(s, canon);
        value = st && st->reset ? st->reset : d ? d->def : "";
    }
    const char *v;
    int rc = validate(s, canon, name, value, &v, err);
    if (rc) return rc;
    return put_setting(s, canon, v);
}

/* RESET ALL (role kept: PostgreSQL's RESET ALL leaves it) and DISCARD ALL
 * (role too: it resets the session's authorization). */
int settings_reset_all(driftdb_session *s, bool role, DdError *err);
int settings_reset_all(driftdb_session *s, bool role, DdError *err)
{
    for (size_t i = 0; i < DD_ARRAY_LEN(defs); i++) {
        if (!defs[i].def || defs[i].readonly) continue;
        if (strcmp(defs[i].name, "application_name") == 0) continue;
        /* the transaction's own (PostgreSQL: not reset by RESET ALL) */
        if (strcmp(defs[i].name, "transaction_isolation") == 0) continue;
        if (!role && strcmp(defs[i].name, "role") == 0) continue;
        int rc = settings_set(s, defs[i].name, NULL, err);
        if (rc) return rc;
    }
    return DD_OK;
}

/* SHOW: the value of name, 42704 when unknown. */
int settings_show(driftdb_session *s, const char *name, const char **canon, const char **value, DdError *err);
int settings_show(driftdb_session *s, const char *name, const char **canon, const char **value, DdError *err)
{
    Setting *st = find_setting(s, name);
    if (!st)
        return dd_err(err, DD_EUNDEFINED_OBJECT, -1, "unrecognized configuration parameter \"%s\"", name);
    *canon = st->name;   /* SHOW names its column as PostgreSQL spells the parameter */
    *value = driftdb_session_setting(s, st->name);
    return DD_OK;
}
