#!/bin/bash
# bench/tpch.sh - TPC-H-like queries 1, 3, 5 and 6 on DriftDB beside
# PostgreSQL 15 in the same run (not part of make test):
#
#   BUILD=build TPCH_SF=0.1 TPCH_RUNS=5 bash bench/tpch.sh
#
# Generates the eight TPC-H tables' columns these queries read, at scale
# factor TPCH_SF (0.1: 600,000 lineitems, 150,000 orders, 15,000
# customers), with SQL (generate_series and fixed formulas, so both
# databases hold the same rows: not dbgen's distributions), loads them into
# a driftdb-server and a PostgreSQL 15 (VACUUM ANALYZE after), then times
# through psql (\timing) the median of TPCH_RUNS runs of each query on
# each, prints both with the ratio DriftDB / PostgreSQL (below 1: DriftDB
# faster) and whether both answered the same.
set -u
. "$(dirname "$0")/lib.sh"
bench_setup tpch
SF=${TPCH_SF:-0.1}
RUNS=${TPCH_RUNS:-5}
NSUPP=$(awk -v s="$SF" 'BEGIN { printf "%d", 10000 * s }')
NCUST=$(awk -v s="$SF" 'BEGIN { printf "%d", 150000 * s }')
NORD=$(awk -v s="$SF" 'BEGIN { printf "%d", 1500000 * s }')

# o_orderdate of order k, shared by orders and lineitem
ODATE="date '1992-01-01' + (k::bigint * 31 % 2406)::int"
LOAD="
CREATE TABLE region (r_regionkey int PRIMARY KEY, r_name char(25), r_comment varchar(152));
CREATE TABLE nation (n_nationkey int PRIMARY KEY, n_name char(25), n_regionkey int, n_comment varchar(152));
CREATE TABLE supplier (s_suppkey int PRIMARY KEY, s_name char(25), s_nationkey int, s_acctbal numeric(15,2));
CREATE TABLE customer (c_custkey int PRIMARY KEY, c_name varchar(25), c_nationkey int, c_mktsegment char(10),
                       c_acctbal numeric(15,2));
CREATE TABLE orders (o_orderkey int PRIMARY KEY, o_custkey int, o_orderstatus char(1), o_totalprice numeric(15,2),
                     o_orderdate date, o_shippriority int);
CREATE TABLE lineitem (l_orderkey int, l_linenumber int, l_suppkey int, l_quantity numeric(15,2),
                       l_extendedprice numeric(15,2), l_discount numeric(15,2), l_tax numeric(15,2),
                       l_returnflag char(1), l_linestatus char(1), l_shipdate date, l_commitdate date,
                       l_receiptdate date, PRIMARY KEY (l_orderkey, l_linenumber));
INSERT INTO region SELECT k, CASE k WHEN 0 THEN 'AFRICA' WHEN 1 THEN 'AMERICA' WHEN 2 THEN 'ASIA' WHEN 3 THEN 'EUROPE'
    ELSE 'MIDDLE EAST' END, 'region ' || k FROM generate_series(0, 4) k;
INSERT INTO nation SELECT k, 'NATION ' || k, k % 5, 'nation ' || k FROM generate_series(0, 24) k;
INSERT INTO supplier SELECT k, 'Supplier#' || k, k * 7 % 25, (k * 7919 % 1100000 - 100000) / 100.0
    FROM generate_series(1, $NSUPP) k;
INSERT INTO customer SELECT k, 'Customer#' || k, k * 13 % 25,
    CASE k % 5 WHEN 0 THEN 'AUTOMOBILE' WHEN 1 THEN 'BUILDING' WHEN 2 THEN 'FURNITURE' WHEN 3 THEN 'HOUSEHOLD'
    ELSE 'MACHINERY' END, (k::bigint * 104729 % 1100000 - 100000) / 100.0 FROM generate_series(1, $NCUST) k;
INSERT INTO orders SELECT k, k::bigint * 7919 % $NCUST + 1, CASE k % 3 WHEN 0 THEN 'F' WHEN 1 THEN 'O' ELSE 'P' END,
    (k::bigint * 15485863 % 50000000) / 100.0, $ODATE, 0 FROM generate_series(1, $NORD) k;
INSERT INTO lineitem SELECT k, n, (k::bigint * 37 + n * 101) % $NSUPP + 1, (k::bigint * 17 + n) % 50 + 1,
    900 + ((k::bigint * 13 + n * 7) % 100000) / 100.0, ((k + n) % 11) / 100.0, ((k + 2 * n) % 9) / 100.0,
    CASE (k + n) % 3 WHEN 0 THEN 'A' WHEN 1 THEN 'N' ELSE 'R' END, CASE WHEN k % 2 = 0 THEN 'O' ELSE 'F' END,
    $ODATE + ((k * 7 + n) % 121 + 1), $ODATE + ((k * 3 + n) % 91 + 30), $ODATE + ((k * 5 + n) % 121 + 2)
    FROM generate_series(1, $NORD) k, generate_series(1, 4) n;
"
QUERIES=(
"SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
    sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
    avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
  FROM lineitem WHERE l_shipdate <= date '1998-12-01' - interval '90 day'
  GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus"
"SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate, o_shippriority
  FROM customer, orders, lineitem
  WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
    AND o_orderdate < date '1995-03-15' AND l_shipdate > date '1995-03-15'
  GROUP BY l_orderkey, o_orderdate, o_shippriority ORDER BY revenue DESC, o_orderdate, l_orderkey LIMIT 10"
"SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
  FROM customer, orders, lineitem, supplier, nation, region
  WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey AND c_nationkey = s_nationkey
    AND s_nationkey = n_nationkey AND n_regionkey = r_regionkey AND r_name = 'ASIA'
    AND o_orderdate >= date '1994-01-01' AND o_orderdate < date '1994-01-01' + interval '1 year'
  GROUP BY n_name ORDER BY revenue DESC, n_name"
"SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem
  WHERE l_shipdate >= date '1994-01-01' AND l_shipdate < date '1994-01-01' + interval '1 year'
    AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24"
)
NAMES=(Q1 Q3 Q5 Q6)

PORT=$((58400 + $$ % 400))
bench_both "$PORT" "$LOAD" || exit 1

echo "tpch: scale factor $SF ($((NORD * 4)) lineitems, $NORD orders, $NCUST customers), median of $RUNS runs"
for i in "${!QUERIES[@]}"; do
    bench_compare "$PORT" "$PGPORT" "$RUNS" "${NAMES[$i]}" "${QUERIES[$i]}"
done
