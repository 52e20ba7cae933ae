// tests/clients/jdbc/JdbcMetaTest.java DRIFTDB_PORT PG_PORT - pgjdbc's
// DatabaseMetaData over DriftDB's catalogs, side by side with a real
// PostgreSQL 15 (docs/catalogs.md): the same schema on both, and
// getSchemas, getTables, getColumns, getPrimaryKeys, getIndexInfo,
// getImportedKeys, getExportedKeys and ResultSetMetaData must answer alike.
// Prints "ok NAME" / "FAIL NAME" lines.
import java.sql.*;
import java.util.*;

public class JdbcMetaTest {
    static final String[] SCHEMA = {
        "DROP SCHEMA IF EXISTS jdbcx CASCADE",
        "CREATE SCHEMA jdbcx",
        "CREATE TABLE jdbcx.parent (id int PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, note text DEFAULT 'x', "
            + "amount numeric(10,2), at timestamptz)",
        "CREATE TABLE jdbcx.child (a int, b int, parent_id int NOT NULL REFERENCES jdbcx.parent (id) ON DELETE CASCADE, "
            + "qty int, PRIMARY KEY (b, a))",
        "CREATE INDEX child_qty ON jdbcx.child (qty DESC)",
        "CREATE VIEW jdbcx.v AS SELECT id, code FROM jdbcx.parent",
    };

    static void check(String name, boolean ok, String detail) {
        System.out.println((ok ? "ok " : "FAIL ") + "jdbc_meta_" + name);
        if (!ok && detail != null) System.out.println("  " + detail.replace("\n", "\n  "));
    }

    /* the rows of rs, the named columns as text */
    static List<String> rows(ResultSet rs, String... cols) throws SQLException {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
            StringBuilder b = new StringBuilder();
            for (String c : cols) b.append(c).append('=').append(rs.getString(c)).append(' ');
            out.add(b.toString().trim());
        }
        rs.close();
        return out;
    }

    static Map<String, List<String>> meta(int port, String db) throws SQLException {
        Map<String, List<String>> m = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, "test", "")) {
            try (Statement s = c.createStatement()) {
                for (String q : SCHEMA) s.execute(q);
            }
            DatabaseMetaData md = c.getMetaData();
            List<String> schemas = rows(md.getSchemas(null, "jdbcx"), "TABLE_SCHEM");
            m.put("schemas", schemas);
            m.put("tables", rows(md.getTables(null, "jdbcx", "%", new String[] {"TABLE", "VIEW"}),
                                 "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE"));
            m.put("columns", rows(md.getColumns(null, "jdbcx", "%", "%"), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE",
                                  "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "NULLABLE", "COLUMN_DEF",
                                  "ORDINAL_POSITION", "IS_NULLABLE", "IS_AUTOINCREMENT"));
            for (String t : new String[] {"parent", "child"}) {
                m.put("pk " + t, rows(md.getPrimaryKeys(null, "jdbcx", t), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ",
                                      "PK_NAME"));
                m.put("indexes " + t, rows(md.getIndexInfo(null, "jdbcx", t, false, false), "TABLE_NAME",
                                           "NON_UNIQUE", "INDEX_NAME", "ORDINAL_POSITION", "COLUMN_NAME",
                                           "ASC_OR_DESC"));
                m.put("imported " + t, rows(md.getImportedKeys(null, "jdbcx", t), "PKTABLE_NAME", "PKCOLUMN_NAME",
                                            "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE",
                                            "DELETE_RULE", "FK_NAME", "PK_NAME"));
                m.put("exported " + t, rows(md.getExportedKeys(null, "jdbcx", t), "PKTABLE_NAME", "FKTABLE_NAME",
                                            "FKCOLUMN_NAME", "FK_NAME"));
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, code, note, amount + 1 AS more FROM jdbcx.parent")) {
                ResultSetMetaData r = rs.getMetaData();
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= r.getColumnCount(); i++)
                    cols.add(r.getColumnName(i) + " table=" + r.getTableName(i) + " nullable=" + r.isNullable(i)
                             + " type=" + r.getColumnTypeName(i) + " auto=" + r.isAutoIncrement(i));
                m.put("resultset", cols);
            }
        }
        return m;
    }

    public static void main(String[] args) {
        int dd = Integer.parseInt(args[0]), pg = Integer.parseInt(args[1]);
        try {
            Map<String, List<String>> a = meta(pg, "postgres"), b = meta(dd, "test");
            for (String k : a.keySet()) {
                List<String> x = a.get(k), y = b.get(k);
                check(k.replace(' ', '_'), x.equals(y), "postgres " + x + "\ndriftdb  " + y);
            }
        } catch (Exception e) {
            check("crashed", false, e.toString());
        }
    }
}
