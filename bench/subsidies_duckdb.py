"""The 应补尽补 audit and the monthly payroll of the two subsidies, computed by DuckDB from the
CSV files `subsidies_bench` exported, with SQL written from `policy.md` (not from the Rust
rules). Times the load and the queries separately, then checks every finding and every payroll
line against zhucan's results (`zhucan_audit.csv`, `zhucan_payroll.csv`).

    python bench/subsidies_duckdb.py OUT_DIR [RUNS]

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
month = z["month"]

con = duckdb.connect()  # in memory; DuckDB uses every core (2 here)
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]

# --- load ---------------------------------------------------------------------------------
V, D, I, B, L = "VARCHAR", "DATE", "INTEGER", "BOOLEAN", "BIGINT"
tables = {
    "persons": {
        "citizen_id": V, "township_code": V, "village_code": V, "died_on": D, "moved_out_on": D,
        "category": V, "grade": I, "components": V, "issued_on": D, "valid_until": D,
        "certificate_status": V, "revoked_on": D,
    },
    # months as zero-padded 'YYYY-MM' text: they compare like months
    "surveys": {
        "citizen_id": V, "survey_year": I, "economic_status": V, "living_since": V,
        "living_until": V, "nursing_since": V, "nursing_until": V, "care_need": V,
        "receives_care": B,
    },
    "benefits": {"citizen_id": V, "kind": V, "amount_fen": L, "since": V, "until": V},
    "params": {"id": L, "key": V, "area_code": V, "effective_from": D, "fen": L, "micro": L},
    "param_statuses": {"id": L, "status": V},
    "param_tiers": {"id": L, "ord": I, "grade": I, "category": V, "amount_fen": L},
    "paid": {"citizen_id": V, "subsidy": V, "for_month": V, "amount_fen": L},
    "closed": {"month": V},
}
load_ms, counts = load(con, out, tables)


# --- the rules (policy.md) -----------------------------------------------------------------
# The conditions both subsidies share first: a certified, active person on the first day.
ACTIVE = """CASE WHEN NOT certified THEN 'not_certified' END,
          CASE WHEN revoked THEN 'certificate_revoked' END,
          CASE WHEN expired THEN 'certificate_expired' END,
          CASE WHEN deceased THEN 'deceased' END,
          CASE WHEN moved_out THEN 'moved_out' END,"""


def decisions(months):
    """Both subsidies' decision for every person and each month of `months`: one row per
    person, month and subsidy with the failed conditions (reason codes, in a clerk's reading
    order, joined by '|'; empty when eligible), the amount and whether the person is enrolled."""
    values = ", ".join(f"('{m}', DATE '{m}-01', {int(m[:4])})" for m in months)
    return f"""
    WITH months(month, day, year) AS (VALUES {values}),
    -- the survey values of the month's year, else the latest row before it
    sv AS (
      SELECT m.month, s.*
      FROM months m JOIN surveys s ON s.survey_year <= m.year
      QUALIFY row_number() OVER (PARTITION BY m.month, s.citizen_id ORDER BY s.survey_year DESC) = 1
    ),
    -- the parameters in force on the month's first day: the most specific area that has an
    -- entry, then the latest effective date, then the latest entry
    areas AS (SELECT DISTINCT coalesce(village_code, township_code) AS area FROM persons),
    pin AS (
      SELECT a.area, m.month, x.key, x.id, x.fen, x.micro
      FROM areas a CROSS JOIN months m
      JOIN params x ON starts_with(a.area, x.area_code) AND x.effective_from <= m.day
      QUALIFY row_number() OVER (PARTITION BY a.area, m.month, x.key
                                 ORDER BY length(x.area_code) DESC, x.effective_from DESC, x.id DESC) = 1
    ),
    pv AS (
      SELECT area, month,
        max(fen)   FILTER (WHERE key = 'dibao_standard')     AS dibao,
        max(micro) FILTER (WHERE key = 'living_ratio')       AS ratio,
        max(id)    FILTER (WHERE key = 'living_statuses')    AS statuses_id,
        max(id)    FILTER (WHERE key = 'nursing_tiers')      AS tiers_id,
        max(micro) FILTER (WHERE key = 'residential_uplift') AS uplift
      FROM pin GROUP BY area, month
    ),
    statuses AS (SELECT id, list(status) AS statuses FROM param_statuses GROUP BY id),
    -- other allowances in force in the month
    bf AS (
      SELECT m.month, b.citizen_id,
        bool_or(b.kind = 'work_injury_nursing') AS work_injury,
        bool_or(b.kind = 'orphan_allowance')    AS orphan,
        max(b.amount_fen) FILTER (WHERE b.kind = 'same_need_living')  AS same_need_living,
        max(b.amount_fen) FILTER (WHERE b.kind = 'same_need_nursing') AS same_need_nursing
      FROM months m JOIN benefits b ON b.since <= m.month AND (b.until IS NULL OR b.until >= m.month)
      GROUP BY m.month, b.citizen_id
    ),
    f AS (
      SELECT m.month, p.citizen_id, p.township_code, p.grade, p.category,
        string_split(p.components, '|') AS components,
        p.issued_on <= m.day                          AS certified,
        p.issued_on <= m.day AND p.certificate_status = 'revoked'
          AND coalesce(p.revoked_on <= m.day, true)   AS revoked,
        p.valid_until < m.day                         AS expired,
        coalesce(p.died_on <= m.day, false)           AS deceased,
        coalesce(p.moved_out_on <= m.day, false)      AS moved_out,
        sv.economic_status                            AS economic,
        coalesce(sv.care_need = 'residential' AND sv.receives_care, false) AS residential,
        coalesce(sv.living_since <= m.month AND coalesce(sv.living_until >= m.month, true), false)  AS receiving_living,
        coalesce(sv.nursing_since <= m.month AND coalesce(sv.nursing_until >= m.month, true), false) AS receiving_nursing,
        coalesce(bf.work_injury, false) AS work_injury,
        coalesce(bf.orphan, false)      AS orphan,
        bf.same_need_living, bf.same_need_nursing,
        pv.dibao, pv.ratio, pv.statuses_id, pv.tiers_id, pv.uplift, st.statuses
      FROM persons p CROSS JOIN months m
      LEFT JOIN sv ON sv.citizen_id = p.citizen_id AND sv.month = m.month
      LEFT JOIN bf ON bf.citizen_id = p.citizen_id AND bf.month = m.month
      LEFT JOIN pv ON pv.area = coalesce(p.village_code, p.township_code) AND pv.month = m.month
      LEFT JOIN statuses st ON st.id = pv.statuses_id
    ),
    -- the nursing tier: the first of the table in force that matches the certificate
    tier AS (
      SELECT f.month, f.citizen_id, arg_min(t.amount_fen, t.ord) AS tier_fen
      FROM f JOIN param_tiers t ON t.id = f.tiers_id AND t.grade = f.grade
       AND (t.category IS NULL OR t.category = f.category
            OR (f.category = 'multiple' AND list_contains(f.components, t.category)))
      GROUP BY f.month, f.citizen_id
    ),
    a AS (
      SELECT f.*, tier.tier_fen,
        CASE WHEN dibao IS NOT NULL AND ratio IS NOT NULL AND statuses_id IS NOT NULL
             THEN (dibao * ratio + 500000) // 1000000 END AS living_amount,
        CASE WHEN tier.tier_fen IS NOT NULL
             THEN tier.tier_fen + CASE WHEN residential AND uplift IS NOT NULL
                                       THEN (tier.tier_fen * uplift + 500000) // 1000000 ELSE 0 END
             END AS nursing_amount
      FROM f LEFT JOIN tier ON tier.citizen_id = f.citizen_id AND tier.month = f.month
    ),
    r AS (
      SELECT month, citizen_id, township_code, living_amount, nursing_amount,
        receiving_living, receiving_nursing,
        concat_ws('|',
          {ACTIVE}
          CASE WHEN economic IS DISTINCT FROM 'tekun' AND statuses_id IS NOT NULL
                AND NOT coalesce(list_contains(statuses, economic), false) THEN 'not_low_income' END,
          CASE WHEN economic = 'tekun' THEN 'tekun' END,
          CASE WHEN work_injury THEN 'work_injury_allowance' END,
          CASE WHEN orphan THEN 'orphan_allowance' END,
          CASE WHEN same_need_living IS NOT NULL
                AND (living_amount IS NULL OR same_need_living >= living_amount) THEN 'higher_allowance' END,
          CASE WHEN living_amount IS NULL THEN 'no_policy' END) AS living_reasons,
        concat_ws('|',
          {ACTIVE}
          CASE WHEN tiers_id IS NOT NULL AND tier_fen IS NULL THEN 'not_severe_care' END,
          CASE WHEN economic = 'tekun' THEN 'tekun' END,
          CASE WHEN work_injury THEN 'work_injury_allowance' END,
          CASE WHEN same_need_nursing IS NOT NULL
                AND (nursing_amount IS NULL OR same_need_nursing >= nursing_amount) THEN 'higher_allowance' END,
          CASE WHEN tiers_id IS NULL THEN 'no_policy' END) AS nursing_reasons
      FROM a
    )
    SELECT month, citizen_id, township_code, 'living' AS subsidy, living_reasons AS reasons,
           living_amount AS amount, receiving_living AS receiving FROM r
    UNION ALL
    SELECT month, citizen_id, township_code, 'nursing', nursing_reasons, nursing_amount,
           receiving_nursing FROM r
    """


AUDIT = f"""
WITH d AS ({decisions([month])})
SELECT citizen_id, subsidy,
       CASE WHEN reasons = '' THEN 'eligible_not_receiving' ELSE 'receiving_not_eligible' END AS finding,
       CASE WHEN reasons = '' THEN 'not_enrolled' ELSE reasons END AS reasons
FROM d
WHERE (reasons = '' AND NOT receiving) OR (reasons <> '' AND receiving)
"""

closed = [r[0] for r in con.execute("SELECT month FROM closed WHERE month < ? ORDER BY month", [month]).fetchall()]
PAYROLL = f"""
WITH d AS ({decisions([month] + closed)}),
due AS (SELECT month, citizen_id, township_code, subsidy, amount FROM d WHERE reasons = '' AND receiving),
-- what closed payrolls paid, for persons on the register
pd AS (SELECT x.citizen_id, p.township_code, x.subsidy, x.for_month, sum(x.amount_fen) AS amount
       FROM paid x JOIN persons p USING (citizen_id)
       WHERE x.for_month IN (SELECT month FROM closed WHERE month < '{month}')
       GROUP BY ALL),
corrections AS (
  SELECT coalesce(due.citizen_id, pd.citizen_id) AS citizen_id,
         coalesce(due.subsidy, pd.subsidy) AS subsidy,
         coalesce(due.month, pd.for_month) AS for_month,
         coalesce(due.amount, 0) - coalesce(pd.amount, 0) AS amount_fen,
         coalesce(due.township_code, pd.township_code) AS township_code
  FROM (SELECT * FROM due WHERE month <> '{month}') due
  FULL OUTER JOIN pd ON pd.citizen_id = due.citizen_id AND pd.subsidy = due.subsidy
                    AND pd.for_month = due.month
)
SELECT citizen_id, subsidy, 'regular' AS kind, month AS for_month, amount AS amount_fen, township_code
FROM due WHERE month = '{month}'
UNION ALL
SELECT citizen_id, subsidy, CASE WHEN amount_fen > 0 THEN 'arrears' ELSE 'recovery' END,
       for_month, amount_fen, township_code
FROM corrections WHERE amount_fen <> 0
"""

times = {"audit": [], "payroll": [], "total": []}
audit = payroll = None
for _ in range(runs):
    t0 = time.perf_counter()
    audit = con.execute(AUDIT).fetchall()
    t1 = time.perf_counter()
    payroll = con.execute(PAYROLL).fetchall()
    t2 = time.perf_counter()
    times["audit"].append((t1 - t0) * 1000)
    times["payroll"].append((t2 - t1) * 1000)
    times["total"].append((t2 - t0) * 1000)


# --- the check ------------------------------------------------------------------------------
def read_csv(name):
    with open(f"{out}/{name}", encoding="utf-8") as fh:
        next(fh)
        return [tuple(line.rstrip("\n").split(",")) for line in fh]


z_audit = set(read_csv("zhucan_audit.csv"))
z_pay = {(a, b, c, d, int(e), f) for (a, b, c, d, e, f) in read_csv("zhucan_payroll.csv")}
d_audit = {tuple(r) for r in audit}
d_pay = {tuple(r) for r in payroll}
problems = []
for what, zs, ds, zn, dn in [
    ("audit", z_audit, d_audit, len(read_csv("zhucan_audit.csv")), len(audit)),
    ("payroll", z_pay, d_pay, len(read_csv("zhucan_payroll.csv")), len(payroll)),
]:
    if zn != len(zs) or dn != len(ds):
        problems.append(f"{what}: duplicate rows (zhucan {zn} rows / {len(zs)} distinct, DuckDB {dn} / {len(ds)})")
    for row in sorted(zs - ds)[:5]:
        problems.append(f"{what}: only zhucan has {row}")
    for row in sorted(ds - zs)[:5]:
        problems.append(f"{what}: only DuckDB has {row}")
    if zs != ds:
        problems.append(f"{what}: {len(zs - ds)} rows only in zhucan, {len(ds - zs)} only in DuckDB")

kinds = {}
for r in payroll:
    kinds[r[2]] = kinds.get(r[2], 0) + 1
reasons = {}
for r in audit:
    for code in r[3].split("|"):
        reasons[code] = reasons.get(code, 0) + 1
doc = {
    "duckdb": duckdb.__version__,
    "threads": threads,
    "rows": counts,
    "load_ms": load_ms,
    "audit": stats(times["audit"]),
    "payroll": stats(times["payroll"]),
    "query": stats(times["total"]),
    "findings": len(audit),
    "findings_by_reason": dict(sorted(reasons.items())),
    "payroll_lines": len(payroll),
    "payroll_by_kind": kinds,
    "payroll_total_fen": sum(r[4] for r in payroll),
    "equal": not problems,
    "problems": problems,
}
finish(
    out,
    doc,
    [
        (
            f"DuckDB {duckdb.__version__} ({threads} threads): load {load_ms:.0f} ms; "
            f"audit median {doc['audit']['median_ms']:.0f} ms, payroll median {doc['payroll']['median_ms']:.0f} ms, "
            f"both median {doc['query']['median_ms']:.0f} ms (min {doc['query']['min_ms']:.0f}); "
            f"{len(audit)} findings, {len(payroll)} payroll lines {kinds}"
        ),
        f"findings by reason: {doc['findings_by_reason']}",
    ],
    problems,
    "every finding and every payroll line agrees with zhucan",
)
