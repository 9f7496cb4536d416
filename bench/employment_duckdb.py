"""The annual quota review (按比例就业年审) of the employers' declarations, computed by DuckDB
from the CSV files `employment_bench` exported, with SQL written from `policy.md` and
`contract.md` (not from the Rust rules): the area each employer is reviewed for, the
parameters in force there on Y-12-31, what the registry says of each listed person on that day
(the certificate governing the day in force, the person neither dead nor moved out; grade 1–2),
why each employee does not count, and per employer the quota, the shortfall, the exemption,
the share to pay, the capped wage, the levy (rounded half up to the fen) and the reward.
Times the load and the query separately, then checks every employer and every employee line
against zhucan's results (`zhucan_employers.csv`, `zhucan_employees.csv`).

    python bench/employment_duckdb.py OUT_DIR [RUNS]

Writes OUT_DIR/duckdb.json. Exits 1 if any result differs.
"""

import json
import sys
import time

import duckdb

from duckdb_common import finish, load, stats

out = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
z = json.load(open(f"{out}/zhucan.json", encoding="utf-8"))
day, district = z["day"], z["district"]

con = duckdb.connect()  # in memory
con.execute("SET threads = 2")
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]

# --- load ---------------------------------------------------------------------------------
V, D, I, B, L = "VARCHAR", "DATE", "INTEGER", "BOOLEAN", "BIGINT"
tables = {
    "employers": {"ord": I, "uscc": V, "township": V, "avg_staff_micro": L, "avg_wage_fen": L},
    "employees": {
        "ord": I, "uscc": V, "citizen_id": V, "contract_months": L, "monthly_wage_fen": L,
        "insured": B,
    },
    "persons": {"citizen_id": V, "died_on": D, "moved_out_on": D},
    "certificates": {
        "citizen_id": V, "ord": I, "is_current": B, "issued_on": D, "valid_until": D,
        "status": V, "revoked_on": D, "grade": I,
    },
    "areas": {"ord": I, "code": V, "name": V},
    "params": {"id": L, "key": V, "area_code": V, "effective_from": D, "value": L},
}
load_ms, counts = load(con, out, tables)

# --- the rules (policy.md, contract.md) ----------------------------------------------------
# Exact arithmetic: staff and ratios in millionths, money in fen, products in HUGEINT.
REVIEW = f"""
WITH
-- The area an employer is reviewed for: the township of the district its 乡镇街道 names (by
-- code or by name, the first in the dictionary), else the district.
townships AS (SELECT ord, code, name FROM areas WHERE length(code) = 9 AND starts_with(code, '{district}')),
names AS (SELECT code AS text, code, ord FROM townships UNION ALL SELECT name, code, ord FROM townships),
named AS (
  SELECT e.ord AS employer, arg_min(n.code, n.ord) AS code
  FROM employers e JOIN names n ON n.text = trim(e.township)
  GROUP BY e.ord
),
er AS (
  SELECT e.ord, e.uscc, e.avg_staff_micro, e.avg_wage_fen, coalesce(named.code, '{district}') AS area
  FROM employers e LEFT JOIN named ON named.employer = e.ord
),
-- The parameters in force on the day: the most specific area with an entry of the key, then
-- the latest effective date, then the latest entry.
pin AS (
  SELECT a.area, p.key, p.value
  FROM (SELECT DISTINCT area FROM er) a
  JOIN params p ON starts_with(a.area, p.area_code) AND p.effective_from <= DATE '{day}'
  QUALIFY row_number() OVER (PARTITION BY a.area, p.key
                             ORDER BY length(p.area_code) DESC, p.effective_from DESC, p.id DESC) = 1
),
terms AS (
  SELECT area,
    max(value) FILTER (WHERE key = 'employment_quota_ratio')         AS quota,
    max(value) FILTER (WHERE key = 'employment_reduced_threshold')   AS threshold,
    max(value) FILTER (WHERE key = 'employment_share_above')         AS share_above,
    max(value) FILTER (WHERE key = 'employment_share_below')         AS share_below,
    max(value) FILTER (WHERE key = 'employment_exempt_staff')        AS exempt_staff,
    max(value) FILTER (WHERE key = 'employment_local_average_wage')  AS local_wage,
    max(value) FILTER (WHERE key = 'employment_wage_cap_multiple')   AS cap_multiple,
    max(value) FILTER (WHERE key = 'employment_minimum_wage')        AS minimum_wage,
    max(value) FILTER (WHERE key = 'employment_reward')              AS reward,
    max(value) FILTER (WHERE key = 'employment_min_contract_months') AS min_months,
    max(value) FILTER (WHERE key = 'employment_severe_double')       AS severe_double
  FROM pin GROUP BY area
),
-- What the registry says of each listed person on the day: the certificate issued last on or
-- before the day governs it (the current one wins a tie); active when that certificate is in
-- force (not revoked by the day — a revocation of unknown date counts from the start — and
-- valid on it) and the person neither died nor moved out by the day; severe: grade 1–2.
listed AS (SELECT DISTINCT citizen_id FROM employees),
governing AS (
  SELECT c.citizen_id,
    arg_max({{'grade': c.grade, 'valid_until': c.valid_until, 'status': c.status, 'revoked_on': c.revoked_on}},
            {{'issued_on': c.issued_on, 'is_current': c.is_current, 'ord': c.ord}}) AS g
  FROM certificates c SEMI JOIN listed USING (citizen_id)
  WHERE c.issued_on <= DATE '{day}'
  GROUP BY c.citizen_id
),
standing AS (
  SELECT p.citizen_id,
    coalesce(g.g.valid_until >= DATE '{day}'
             AND NOT (g.g.status = 'revoked' AND coalesce(g.g.revoked_on <= DATE '{day}', true))
             AND coalesce(p.died_on > DATE '{day}', true)
             AND coalesce(p.moved_out_on > DATE '{day}', true), false) AS active,
    coalesce(g.g.grade IN (1, 2), false) AS severe
  FROM persons p SEMI JOIN listed USING (citizen_id)
  LEFT JOIN governing g USING (citizen_id)
),
-- One listed by two employers in the same year counts for neither.
listings AS (SELECT citizen_id, count(DISTINCT uscc) AS n FROM employees GROUP BY citizen_id),
judged AS (
  SELECT e.ord, e.uscc, e.citizen_id, st.severe, t.severe_double,
    concat_ws('|',
      CASE WHEN st.citizen_id IS NOT NULL AND NOT st.active THEN 'not_certified' END,
      CASE WHEN e.contract_months < t.min_months THEN 'contract_too_short' END,
      CASE WHEN e.monthly_wage_fen < t.minimum_wage THEN 'below_minimum_wage' END,
      CASE WHEN NOT e.insured THEN 'not_insured' END,
      CASE WHEN l.n > 1 THEN 'listed_twice' END,
      CASE WHEN st.citizen_id IS NULL THEN 'unknown_person' END) AS reasons
  FROM employees e
  JOIN er ON er.uscc = e.uscc
  JOIN terms t ON t.area = er.area
  JOIN listings l ON l.citizen_id = e.citizen_id
  LEFT JOIN standing st ON st.citizen_id = e.citizen_id
),
line_counts AS (
  SELECT ord, uscc, citizen_id, reasons,
    CASE WHEN reasons <> '' THEN 0 WHEN severe AND severe_double = 1 THEN 2 ELSE 1 END AS counts
  FROM judged
),
per_employer AS (
  SELECT uscc, sum(counts) AS counted,
    list({{'citizen_id': citizen_id, 'counts': counts, 'reasons': reasons}} ORDER BY ord) AS employees
  FROM line_counts GROUP BY uscc
),
-- quota = staff × ratio (10⁻¹² persons); shortfall = max(0, quota − counted); exempt at or
-- under the exemption's staff; the share: 0 exempt, the share above when counted ÷ staff ≥
-- the threshold, else the share below; the wage capped at the multiple of the local wage.
base AS (
  SELECT er.ord, er.uscc, er.avg_staff_micro::HUGEINT AS staff, er.avg_wage_fen,
    coalesce(pe.counted, 0)::HUGEINT * 1000000000000 AS counted_e12,
    coalesce(pe.counted, 0) AS counted, pe.employees, t.*
  FROM er JOIN terms t ON t.area = er.area
  LEFT JOIN per_employer pe ON pe.uscc = er.uscc
),
amounts AS (
  SELECT ord, uscc, counted, employees, reward, counted_e12,
    staff * quota AS quota_e12,
    greatest(staff * quota - counted_e12, 0) AS shortfall_e12,
    staff <= exempt_staff::HUGEINT * 1000000 AS exempt,
    CASE WHEN staff <= exempt_staff::HUGEINT * 1000000 THEN 0
         WHEN counted_e12 >= staff * threshold THEN share_above
         ELSE share_below END AS pay_share,
    least(avg_wage_fen::HUGEINT * 1000000, local_wage::HUGEINT * cap_multiple) AS levy_wage_e6
  FROM base
)
SELECT ord, uscc, quota_e12, counted, shortfall_e12, exempt, pay_share, levy_wage_e6,
  -- shortfall (10⁻¹²) × wage (10⁻⁶ fen) × share (10⁻⁶): fen × 10⁻²⁴, half up
  ((shortfall_e12 * levy_wage_e6 * pay_share
    + 500000000000::HUGEINT * 1000000000000) // (1000000000000::HUGEINT * 1000000000000)) AS levy_fen,
  greatest(counted_e12 - quota_e12, 0) // 1000000000000 * reward AS reward_fen,
  employees
FROM amounts
ORDER BY ord
"""

# Timed: the review computed and held in DuckDB's memory (a table of 20 000 rows, each with its
# employees), as zhucan holds its results. Apart: the same query fetched into Python objects.
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    con.execute(f"CREATE OR REPLACE TEMP TABLE review AS {REVIEW}")
    times.append((time.perf_counter() - t0) * 1000)
fetched = []
for _ in range(runs):
    t0 = time.perf_counter()
    con.execute(REVIEW).fetchall()
    fetched.append((time.perf_counter() - t0) * 1000)
rows = con.execute("SELECT * FROM review ORDER BY ord").fetchall()


# --- the check ------------------------------------------------------------------------------
def read_csv(name):
    with open(f"{out}/{name}", encoding="utf-8") as fh:
        next(fh)
        return [line.rstrip("\n").split(",") for line in fh]


z_emp = [
    (u, int(q), int(c), int(s), x == "true", int(p), int(w), int(lv), int(rw))
    for (u, q, c, s, x, p, w, lv, rw) in read_csv("zhucan_employers.csv")
]
# Reasons compared as sets: the contract names them, not their order (zhucan gives
# unknown_person first, this SQL in the contract's order).
def reason_set(r):
    return "|".join(sorted(filter(None, r.split("|"))))


z_lines = [(u, i, int(c), reason_set(r)) for (u, i, c, r) in read_csv("zhucan_employees.csv")]
d_emp = [(r[1], int(r[2]), int(r[3]), int(r[4]), bool(r[5]), int(r[6]), int(r[7]), int(r[8]), int(r[9]))
         for r in rows]
d_lines = [(r[1], e["citizen_id"], e["counts"], reason_set(e["reasons"])) for r in rows for e in (r[10] or [])]

COLS = ["uscc", "quota_e12", "counted", "shortfall_e12", "exempt", "pay_share", "levy_wage_e6",
        "levy_fen", "reward_fen"]
problems = []
if len(z_emp) != len(d_emp):
    problems.append(f"employers: zhucan {len(z_emp)}, DuckDB {len(d_emp)}")
differing = {c: 0 for c in COLS}
shown = 0
for a, b in zip(z_emp, d_emp):
    if a != b:
        for k, c in enumerate(COLS):
            if a[k] != b[k]:
                differing[c] += 1
        if shown < 10:
            problems.append("employer differs: " + ", ".join(
                f"{c} zhucan {a[k]} DuckDB {b[k]}" for k, c in enumerate(COLS) if a[k] != b[k] or k == 0))
            shown += 1
if any(differing.values()):
    problems.append(f"employers differing, by field: { {c: n for c, n in differing.items() if n} }")
if len(z_lines) != len(d_lines):
    problems.append(f"employee lines: zhucan {len(z_lines)}, DuckDB {len(d_lines)}")
bad_lines = [(a, b) for a, b in zip(z_lines, d_lines) if a != b]
for a, b in bad_lines[:10]:
    problems.append(f"employee line differs: zhucan {a} DuckDB {b}")
if bad_lines:
    problems.append(f"{len(bad_lines)} employee lines differ")

reasons = {}
for (_, _, _, r) in d_lines:
    for code in filter(None, r.split("|")):
        reasons[code] = reasons.get(code, 0) + 1
doc = {
    "duckdb": duckdb.__version__,
    "threads": threads,
    "rows": counts,
    "load_ms": load_ms,
    "query": stats(times),
    "query_fetched_into_python": stats(fetched),
    "employers": len(d_emp),
    "employee_lines": len(d_lines),
    "exempt": sum(1 for r in d_emp if r[4]),
    "counted": sum(r[2] for r in d_emp),
    "levy_total_fen": sum(r[7] for r in d_emp),
    "reward_total_fen": sum(r[8] for r in d_emp),
    "reasons": dict(sorted(reasons.items())),
    "equal": not problems,
    "problems": problems,
}
finish(
    out,
    doc,
    [
        (
            f"DuckDB {duckdb.__version__} ({threads} threads): load {load_ms:.0f} ms {counts}; review (into a table) median "
            f"{doc['query']['median_ms']:.1f} ms (min {doc['query']['min_ms']:.1f}); fetched into Python "
            f"{doc['query_fetched_into_python']['median_ms']:.1f} ms; {len(d_emp)} employers ({doc['exempt']} exempt), "
            f"{len(d_lines)} lines, {doc['counted']} counted, levy ¥{doc['levy_total_fen'] / 100:.2f}, "
            f"rewards ¥{doc['reward_total_fen'] / 100:.2f}"
        ),
        f"reasons: {doc['reasons']}",
    ],
    problems,
    f"every employer ({len(d_emp)}: quota, counted, shortfall, exemption, share, wage, levy, reward) "
    f"and every employee line ({len(d_lines)}: counts and reasons) agrees with zhucan",
)
