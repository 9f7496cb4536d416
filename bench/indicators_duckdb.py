"""The 14 indicators of indicators.md for the district and each of its townships at one date,
computed by DuckDB from the CSV files `indicators_bench` exported, with SQL written from the
spec (not from the Rust engine). Times the load and the queries separately, then checks every
numerator and denominator against zhucan's results (`zhucan.json`).

    python bench/indicators_duckdb.py OUT_DIR [RUNS]

Writes OUT_DIR/duckdb.json. Exits 1 if any number differs.
"""

import datetime as dt
import json
import sys
import time

import duckdb

from duckdb_common import load, stats

out = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
z = json.load(open(f"{out}/zhucan.json", encoding="utf-8"))
t = dt.date.fromisoformat(z["reference_date"])
areas = z["areas"]
district = areas[0]

con = duckdb.connect()  # in memory; DuckDB uses every core (2 here)
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]

# --- load ---------------------------------------------------------------------------------
V, D, I, B = "VARCHAR", "DATE", "INTEGER", "BOOLEAN"
tables = {
    "persons": {
        "citizen_id": V, "township_code": V, "village_code": V, "household_id": V,
        "died_on": D, "moved_out_on": D, "category": V, "grade": I, "components": V,
        "issued_on": D, "valid_until": D, "certificate_status": V, "smart_card": B,
        "revoked_on": D,
    },
    "surveys": {
        "citizen_id": V, "survey_year": I, "economic_status": V, "income_per_capita_fen": "BIGINT",
        # months as zero-padded 'YYYY-MM' text: they compare like months
        "living_subsidy_since": V, "living_subsidy_until": V,
        "nursing_subsidy_since": V, "nursing_subsidy_until": V,
        "pension_insurance": V, "medical_insurance": V, "employment_status": V,
        "not_employed_reason": V, "school_stage": V, "completed_compulsory": B,
        "needs_rehab": B, "received_rehab": B, "needs_device": B, "device_fitted": B,
        "needs_home_modification": B, "home_modification_done": B, "care_need": V,
        "receives_care": B, "culture_sports": B,
    },
    "areas": {"code": V, "name": V, "population": "BIGINT", "valid_from": D, "valid_until": D},
    "institutions": {
        "name": V, "kind": V, "township_code": V, "standardized": B, "designated": B,
        "opened_on": D, "closed_on": D,
    },
}
load_ms, counts = load(con, out, tables)

# --- the definitions ------------------------------------------------------------------------
y = t.year
try:
    t_prev = t.replace(year=y - 1)
except ValueError:  # 29 February: one year earlier is 28 February
    t_prev = t.replace(year=y - 1, day=28)
m = f"{t.year:04d}-{t.month:02d}"


def active(p, at):
    """indicators.md "Active at t" (a revocation counts from its date, when known; the demo's
    persons hold one certificate each, so the current one is the one in force)."""
    return (
        f"({p}.issued_on <= DATE '{at}' "
        f"AND NOT ({p}.certificate_status = '注销' AND coalesce({p}.revoked_on <= DATE '{at}', true)) "
        f"AND {p}.valid_until >= DATE '{at}' "
        f"AND ({p}.died_on IS NULL OR {p}.died_on > DATE '{at}') "
        f"AND ({p}.moved_out_on IS NULL OR {p}.moved_out_on > DATE '{at}'))"
    )


def receiving(since, until):
    return f"({since} IS NOT NULL AND {since} <= '{m}' AND ({until} IS NULL OR {until} >= '{m}'))"


# Every person of the district active at t or at t one year earlier, with their survey values
# for Y (the row of Y, else the latest before it: arg_max over the rows up to Y) and the
# incomes of the rows of Y and Y - 1: one aggregation of the survey rows, one join. The
# queries below all read this table.
A = f"""
CREATE OR REPLACE TEMP TABLE a AS
WITH s AS (
  SELECT citizen_id,
    arg_max({{'economic_status': economic_status,
              'living_since': living_subsidy_since, 'living_until': living_subsidy_until,
              'nursing_since': nursing_subsidy_since, 'nursing_until': nursing_subsidy_until,
              'pension': pension_insurance, 'medical': medical_insurance,
              'employment': employment_status, 'reason': not_employed_reason,
              'school': school_stage, 'compulsory': completed_compulsory,
              'needs_rehab': needs_rehab, 'received_rehab': received_rehab,
              'needs_device': needs_device, 'device_fitted': device_fitted,
              'needs_hm': needs_home_modification, 'hm_done': home_modification_done,
              'culture': culture_sports}}, survey_year) FILTER (WHERE survey_year <= {y}) AS v,
    max(income_per_capita_fen) FILTER (WHERE survey_year = {y}) AS income,
    max(income_per_capita_fen) FILTER (WHERE survey_year = {y - 1}) AS income_prev
  FROM surveys GROUP BY citizen_id
)
SELECT p.citizen_id, p.township_code, nullif(trim(p.household_id), '') AS hh,
  {active('p', t)} AS on_t, {active('p', t_prev)} AS on_prev,
  p.grade, p.category, p.components,
  CAST(substr(p.citizen_id, 17, 1) AS INTEGER) % 2 = 1 AS male,
  {y} - CAST(substr(p.citizen_id, 7, 4) AS INTEGER)
    - CASE WHEN {t.month * 100 + t.day} < CAST(substr(p.citizen_id, 11, 4) AS INTEGER) THEN 1 ELSE 0 END AS age,
  unnest(s.v), s.income, s.income_prev
FROM persons p LEFT JOIN s USING (citizen_id)
WHERE p.township_code LIKE '{district}%' AND ({active('p', t)} OR {active('p', t_prev)})
"""
IN_SCHOOL = "coalesce(school <> '未在读', false)"
P = f"""
WITH f AS (
  SELECT township_code,
coalesce(economic_status IN ('低保', '低边'), false) AS d2,
{receiving('living_since', 'living_until')} AS r2,
(grade IN (1, 2) OR (grade IN (3, 4) AND (category IN ('智力', '精神')
   OR (category = '多重' AND (components LIKE '%智力%' OR components LIKE '%精神%')))))
  AND economic_status IS DISTINCT FROM '特困' AS d3,
{receiving('nursing_since', 'nursing_until')} AS r3,
age >= 16 AND NOT {IN_SCHOOL} AS d7,
coalesce(pension IN ('城乡居民', '城镇职工'), false) AS r7,
coalesce(medical IN ('城乡居民', '城镇职工'), false) AS r8,
((male AND age BETWEEN 16 AND 59) OR (NOT male AND age BETWEEN 16 AND 54))
  AND NOT {IN_SCHOOL}
  AND coalesce(reason NOT IN ('在校学习', '退休', '丧失劳动能力'), true) AS d9,
coalesce(employment <> '未就业', false) AS r9,
age BETWEEN 15 AND 17 AND coalesce(compulsory, false) AS d10,
coalesce(school IN ('高中', '中职', '特教高中', '大专及以上'), false) AS r10,
coalesce(needs_rehab, false) AS d11, coalesce(received_rehab, false) AS r11,
coalesce(needs_device, false) AS d12, coalesce(device_fitted, false) AS r12,
coalesce(culture, false) AS r14
  FROM a WHERE on_t
),
g AS (
  SELECT township_code AS area,
count_if(d2) AS d2, count_if(d2 AND r2) AS n2,
count_if(d3) AS d3, count_if(d3 AND r3) AS n3,
count_if(d7) AS d7, count_if(d7 AND r7) AS n7,
count(*) AS d8, count_if(r8) AS n8,
count_if(d9) AS d9, count_if(d9 AND r9) AS n9,
count_if(d10) AS d10, count_if(d10 AND r10) AS n10,
count_if(d11) AS d11, count_if(d11 AND r11) AS n11,
count_if(d12) AS d12, count_if(d12 AND r12) AS n12,
count(*) AS d14, count_if(r14) AS n14
  FROM f GROUP BY township_code
)
SELECT * FROM g
UNION ALL  -- the district's persons are its townships' persons
SELECT '{district}', sum(d2), sum(n2), sum(d3), sum(n3), sum(d7), sum(n7), sum(d8), sum(n8),
  sum(d9), sum(n9), sum(d10), sum(n10), sum(d11), sum(n11), sum(d12), sum(n12), sum(d14), sum(n14)
FROM g
"""
INC = f"""
WITH m AS (
  SELECT township_code, hh, citizen_id, 0 AS prev, income FROM a WHERE on_t AND income IS NOT NULL
  UNION ALL
  SELECT township_code, hh, citizen_id, 1, income_prev FROM a WHERE on_prev AND income_prev IS NOT NULL
),
-- a household's value: the mean of its members' incomes (a person without 户编号 alone)
h AS (
  SELECT township_code AS area, prev, income AS v FROM m WHERE hh IS NULL
  UNION ALL
  SELECT township_code, prev, avg(income) FROM m WHERE hh IS NOT NULL GROUP BY township_code, hh, prev
  UNION ALL
  SELECT '{district}', prev, income FROM m WHERE hh IS NULL
  UNION ALL
  SELECT '{district}', prev, avg(income) FROM m WHERE hh IS NOT NULL GROUP BY hh, prev
)
SELECT area, prev, avg(v) AS mean, count(*) AS households FROM h GROUP BY area, prev
"""
HOME = f"""
WITH q AS (
  SELECT township_code, coalesce(hh, 'person:' || citizen_id) AS hh, coalesce(hm_done, false) AS done
  FROM a WHERE on_t AND economic_status IN ('低保', '低边', '特困') AND needs_hm
),
h AS (
  SELECT township_code AS area, hh, bool_or(done) AS done FROM q GROUP BY ALL
  UNION ALL
  SELECT '{district}', hh, bool_or(done) FROM q GROUP BY ALL
)
SELECT area, count(*) AS d13, count_if(done) AS n13 FROM h GROUP BY area
"""
def open_at(i):
    return f"({i}.opened_on <= DATE '{t}' AND ({i}.closed_on IS NULL OR {i}.closed_on > DATE '{t}'))"


# 4, 5, 6: townships and institutions.
PLACES_SQL = f"""
WITH tw AS (
  SELECT code, CAST(substr(code, 7, 3) AS INTEGER) AS seg, population FROM areas
  WHERE length(code) = 9 AND code LIKE '{district}%'
),
q AS (
  SELECT code, EXISTS (
    SELECT 1 FROM institutions i WHERE i.kind = '残疾人之家' AND i.township_code = tw.code
      AND i.standardized AND {open_at('i')}) AS has_home
  FROM tw
  WHERE seg BETWEEN 1 AND 199 OR (seg BETWEEN 200 AND 399 AND population >= 10000)
),
child AS (
  SELECT township_code, standardized FROM institutions i
  WHERE kind = '儿童康复机构' AND designated AND {open_at('i')}
)
SELECT a.code AS area,
  (SELECT count(*) FROM q WHERE q.code LIKE a.code || '%') AS d4,
  (SELECT coalesce(count_if(has_home), 0) FROM q WHERE q.code LIKE a.code || '%') AS n4,
  CASE WHEN length(a.code) = 6 THEN 1 END AS d5,
  CASE WHEN length(a.code) = 6 THEN (SELECT CAST(count(*) > 0 AS INTEGER) FROM institutions i
       WHERE i.kind = '托养机构' AND i.township_code LIKE a.code || '%' AND {open_at('i')}) END AS n5,
  (SELECT count(*) FROM child WHERE child.township_code LIKE a.code || '%') AS d6,
  (SELECT coalesce(count_if(standardized), 0) FROM child WHERE child.township_code LIKE a.code || '%') AS n6
FROM areas a WHERE a.code = '{district}' OR (length(a.code) = 9 AND a.code LIKE '{district}%')
"""


def compute():
    """All 14 indicators × every area: {area: {id: (numerator, denominator[, value])}}."""
    con.execute(A)
    res = {a: {} for a in areas}
    for row in con.execute(P).fetchall():
        area, vals = row[0], row[1:]
        for k, i in enumerate([2, 3, 7, 8, 9, 10, 11, 12, 14]):
            d, n = vals[2 * k], vals[2 * k + 1]
            res.setdefault(area, {})[i] = (n, d)
    means = {}
    for area, prev, mean, _ in con.execute(INC).fetchall():
        means[(area, prev)] = mean
    for a in res:
        cur, prev = means.get((a, 0)), means.get((a, 1))
        res[a][1] = (None, None, cur / prev - 1 if cur is not None and prev else None)
    for area, d, n in con.execute(HOME).fetchall():
        res.setdefault(area, {})[13] = (n, d)
    for area, d4, n4, d5, n5, d6, n6 in con.execute(PLACES_SQL).fetchall():
        r = res.setdefault(area, {})
        r[4], r[5], r[6] = (n4, d4), (n5, d5), (n6, d6)
    for a in res:  # an area with nobody counted has zeros
        for i in [2, 3, 7, 8, 9, 10, 11, 12, 13, 14]:
            res[a].setdefault(i, (0, 0))
    return res


times = []
for _ in range(runs):
    s = time.perf_counter()
    res = compute()
    times.append((time.perf_counter() - s) * 1000)

# --- check against zhucan --------------------------------------------------------------------
mismatches = []
checked = 0
for rep in z["reports"]:
    a = rep["area"]["code"]
    for ind in rep["indicators"]:
        i = ind["id"]
        got = res.get(a, {}).get(i)
        if i == 1:
            zv, dv = ind["value"], got[2] if got else None
            ok = (zv is None and dv is None) or (
                zv is not None and dv is not None and abs(zv - dv) <= 1e-9 * max(1.0, abs(zv))
            )
            checked += 1
            if not ok:
                mismatches.append({"area": a, "id": i, "zhucan": zv, "duckdb": dv})
            continue
        zn, zd = ind["numerator"], ind["denominator"]
        dn, dd = (got[0], got[1]) if got else (None, None)
        checked += 2
        if (zn, zd) != (dn, dd):
            mismatches.append({"area": a, "id": i, "key": ind["key"], "zhucan": [zn, zd], "duckdb": [dn, dd]})

doc = {
    "duckdb_version": duckdb.__version__,
    "threads": threads,
    "rows": counts,
    "load_ms": load_ms,
    "query": stats(times),
    "checked_numbers": checked,
    "mismatches": mismatches,
}
json.dump(doc, open(f"{out}/duckdb.json", "w", encoding="utf-8"), ensure_ascii=False, indent=2)
print(f"DuckDB {duckdb.__version__}, {threads} threads; rows {counts}")
print(f"DuckDB load (CSV → in-memory tables): {load_ms:.0f} ms")
print(f"DuckDB 14 indicators × {len(areas)} areas, {runs} runs: median {stats(times)['median_ms']:.1f} ms, min {min(times):.1f} ms")
print(f"checked {checked} numbers against zhucan: {len(mismatches)} mismatches")
for mm in mismatches[:40]:
    print("  MISMATCH", mm)
sys.exit(1 if mismatches else 0)
