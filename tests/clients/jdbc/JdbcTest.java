// tests/clients/jdbc/JdbcTest.java PORT - the PostgreSQL JDBC driver
// (Debian's libpostgresql-jdbc-java) against driftdb-server.
//
// pgjdbc uses only the extended protocol: Parse/Bind/Describe/Execute/Sync,
// named server-side statements after prepareThreshold uses (then binary
// results for the types it knows), Execute with a row limit for
// setFetchSize inside a transaction, and multi-row INSERTs for
// executeBatch with reWriteBatchedInserts.  Checks: PreparedStatement,
// time travel with a Timestamp parameter, a transaction with commit and
// rollback, fetch size, batches, getMetaData, errors with SQLState,
// CopyManager copyIn (CSV) and copyOut, a bad COPY row with 22P02.
// Prints "ok NAME" / "FAIL NAME" lines.
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

public class JdbcTest {
    static String url;

    interface Body { void run(Connection c) throws Exception; }

    static void expect(Object got, Object want, String what) {
        if (!Objects.equals(got, want))
            throw new AssertionError(what + ": expected " + want + ", got " + got);
    }

    static void test(String name, Body b) {
        try (Connection c = DriverManager.getConnection(url, "test", "")) {
            b.run(c);
            System.out.println("ok jdbc_" + name);
        } catch (Throwable t) {
            System.out.println("FAIL jdbc_" + name);
            System.out.println("  " + t);
            StackTraceElement[] st = t.getStackTrace();
            for (int i = 0; i < Math.min(3, st.length); i++) System.out.println("    at " + st[i]);
        }
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/test?prepareThreshold=2&reWriteBatchedInserts=true&connectTimeout=10";

        test("prepared_statement", c -> {
            c.createStatement().execute("CREATE TABLE jd_items (id INT PRIMARY KEY, name VARCHAR(20), price NUMERIC(10,2), at TIMESTAMPTZ)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_items VALUES (?, ?, ?, now())")) {
                for (int i = 1; i <= 5; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "item" + i);
                    ps.setBigDecimal(3, new BigDecimal(i + ".25"));
                    expect(ps.executeUpdate(), 1, "insert count");
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT name, price FROM jd_items WHERE id = ?")) {
                for (int round = 0; round < 4; round++) {   // named and binary after prepareThreshold
                    ps.setInt(1, 3);
                    try (ResultSet rs = ps.executeQuery()) {
                        expect(rs.next(), true, "row");
                        expect(rs.getString(1), "item3", "name");
                        expect(rs.getBigDecimal(2), new BigDecimal("3.25"), "price");
                        expect(rs.next(), false, "one row");
                    }
                }
                ResultSetMetaData md = ps.getMetaData();
                expect(md.getColumnCount(), 2, "metadata columns");
                expect(md.getColumnTypeName(1), "varchar", "metadata type");
                expect(md.getColumnTypeName(2), "numeric", "metadata type 2");
                ParameterMetaData pm = ps.getParameterMetaData();
                expect(pm.getParameterTypeName(1), "int4", "parameter type");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM jd_items WHERE name = ?")) {
                ps.setNull(1, Types.VARCHAR);
                try (ResultSet rs = ps.executeQuery()) { rs.next(); expect(rs.getLong(1), 0L, "NULL parameter"); }
            }
        });

        test("time_travel", c -> {
            Statement s = c.createStatement();
            s.execute("CREATE TABLE jd_tt (id INT PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO jd_tt VALUES (1, 'before')");
            Thread.sleep(20);
            Timestamp t;
            try (ResultSet rs = s.executeQuery("SELECT now()")) { rs.next(); t = rs.getTimestamp(1); }
            Thread.sleep(20);
            s.execute("UPDATE jd_tt SET v = 'after' WHERE id = 1");
            try (PreparedStatement ps = c.prepareStatement("SELECT v FROM jd_tt FOR SYSTEM_TIME AS OF ? WHERE id = ?")) {
                for (int round = 0; round < 3; round++) {
                    ps.setTimestamp(1, t);
                    ps.setInt(2, 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        expect(rs.next(), true, "row AS OF");
                        expect(rs.getString(1), "before", "AS OF a Timestamp");
                    }
                }
            }
        });

        test("transaction_fetch_size_batch", c -> {
            c.createStatement().execute("CREATE TABLE jd_txn (id INT PRIMARY KEY, v INT)");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_txn VALUES (?, ?)")) {
                for (int i = 0; i < 100; i++) { ps.setInt(1, i); ps.setInt(2, i); ps.addBatch(); }
                int[] counts = ps.executeBatch();
                int total = 0;
                for (int n : counts) total += n == Statement.SUCCESS_NO_INFO ? 1 : n;
                expect(total, 100, "batch rows");
            }
            c.commit();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM jd_txn ORDER BY id")) {
                ps.setFetchSize(7);   // Execute with a row limit: PortalSuspended
                int n = 0, sum = 0;
                try (ResultSet rs = ps.executeQuery()) { while (rs.next()) { n++; sum += rs.getInt(1); } }
                expect(n, 100, "rows through fetch size");
                expect(sum, 4950, "sum through fetch size");
            }
            // another statement while a fetch-size result set is open: the
            // server keeps the suspended portal's rows
            try (PreparedStatement outer = c.prepareStatement("SELECT id FROM jd_txn WHERE id < ? ORDER BY id");
                 PreparedStatement inner = c.prepareStatement("SELECT v FROM jd_txn WHERE id = ?")) {
                outer.setFetchSize(3);
                outer.setInt(1, 20);
                int n = 0;
                try (ResultSet rs = outer.executeQuery()) {
                    while (rs.next()) {
                        inner.setInt(1, rs.getInt(1));
                        try (ResultSet r2 = inner.executeQuery()) { r2.next(); expect(r2.getInt(1), rs.getInt(1), "inner row"); }
                        n++;
                    }
                }
                expect(n, 20, "rows of the outer result set");
            }
            c.createStatement().executeUpdate("UPDATE jd_txn SET v = v + 1000");
            c.rollback();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT max(v) FROM jd_txn")) {
                rs.next();
                expect(rs.getInt(1), 99, "after rollback");
            }
            c.commit();
        });

        test("errors", c -> {
            c.createStatement().execute("CREATE TABLE jd_err (id INT PRIMARY KEY)");
            c.createStatement().execute("INSERT INTO jd_err VALUES (1)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jd_err VALUES (?)")) {
                ps.setInt(1, 1);
                ps.executeUpdate();
                throw new AssertionError("duplicate key accepted");
            } catch (SQLException e) {
                expect(e.getSQLState(), "23505", "duplicate key");
            }
            c.setAutoCommit(false);
            try {
                c.createStatement().executeQuery("SELECT * FROM jd_nope");
                throw new AssertionError("unknown table accepted");
            } catch (SQLException e) {
                expect(e.getSQLState(), "42P01", "unknown table");
            }
            try {
                c.createStatement().executeQuery("SELECT 1");
                throw new AssertionError("statement accepted in a failed transaction");
            } catch (SQLException e) {
                expect(e.getSQLState(), "25P02", "failed transaction");
            }
            c.rollback();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM jd_err")) {
                rs.next();
                expect(rs.getLong(1), 1L, "usable after errors");
            }
        });
        test("copy_manager", c -> {
            // CopyManager: COPY FROM STDIN (CSV) from a Reader, COPY TO
            // STDOUT into a Writer, a bad row rolling the whole COPY back
            c.createStatement().execute("CREATE TABLE jd_copy (id INT PRIMARY KEY, name TEXT, price NUMERIC(10,2))");
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            String csv = "1,apple,1.50\n2,\"pear, green\",\n3,\"say \"\"hi\"\"\",3.00\n";
            long n = cm.copyIn("COPY jd_copy FROM STDIN (FORMAT csv)", new StringReader(csv));
            expect(n, 3L, "rows copied in");
            try (ResultSet rs = c.createStatement().executeQuery("SELECT name, price FROM jd_copy WHERE id = 2")) {
                rs.next();
                expect(rs.getString(1), "pear, green", "quoted CSV field");
                expect(rs.getBigDecimal(2), null, "empty CSV field is NULL");
            }
            StringWriter w = new StringWriter();
            n = cm.copyOut("COPY (SELECT * FROM jd_copy ORDER BY id) TO STDOUT (FORMAT csv, HEADER)", w);
            expect(n, 3L, "rows copied out");
            expect(w.toString(), "id,name,price\n1,apple,1.50\n2,\"pear, green\",\n3,\"say \"\"hi\"\"\",3.00\n", "CSV out");
            w = new StringWriter();
            cm.copyOut("COPY jd_copy TO STDOUT", w);
            expect(w.toString().split("\n").length, 3, "text out lines");
            try {
                cm.copyIn("COPY jd_copy FROM STDIN (FORMAT csv)", new StringReader("4,fig,4.00\nfive,plum,5.00\n"));
                throw new AssertionError("a bad integer was copied in");
            } catch (SQLException e) {
                expect(e.getSQLState(), "22P02", "bad integer in a COPY row");
            }
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*), sum(id) FROM jd_copy")) {
                rs.next();
                expect(rs.getLong(1), 3L, "the failed COPY's good row rolled back");
                expect(rs.getLong(2), 6L, "rows after the failed COPY");
            }
        });

        System.out.println("# pgjdbc " + org.postgresql.Driver.class.getPackage().getImplementationVersion());
    }
}
