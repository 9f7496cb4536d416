-- zhucan schema 5 (plan programme): the five-year plan as data (the change counters that were
-- part of schema 5 are the kernel's migration change_counters).

-- A development plan (规划): the period its targets are measured over.
CREATE TABLE plans (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    baseline_date  TEXT NOT NULL,       -- 基期 (2020-12-31)
    target_date    TEXT NOT NULL,       -- 目标期 (2025-12-31)
    source         TEXT NOT NULL        -- the document
);

-- The plan's quantified targets (专栏1 indicators and 专栏2–5 targets). Ratios are stored in
-- millionths (0.99 = 990000), counts as counts. `measure` says whether the system computes the
-- value from the registry (`computed`) or staff enter it with evidence (`manual`).
CREATE TABLE plan_targets (
    plan_id      TEXT NOT NULL REFERENCES plans (id),
    key          TEXT NOT NULL,
    seq          BIGINT NOT NULL,       -- display order
    section      TEXT NOT NULL,         -- e.g. 专栏1-2, 专栏3-4
    name         TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    unit         TEXT NOT NULL,         -- ratio | count | growth
    attribute    TEXT,                  -- binding (约束性) | expected (预期性) | NULL
    baseline     BIGINT,
    target       BIGINT,
    target_year  BIGINT NOT NULL,
    measure      TEXT NOT NULL,         -- computed | manual
    PRIMARY KEY (plan_id, key)
);

-- Staff-entered progress of a manual target: a value at a date, with its evidence.
CREATE TABLE target_progress (
    plan_id     TEXT NOT NULL,
    key         TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    as_of       TEXT NOT NULL,
    value       BIGINT NOT NULL,
    evidence    TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    PRIMARY KEY (plan_id, key, seq)
);

-- The district GDP growth rate per year (indicator 1's target), in millionths; every entry is
-- kept, the latest one of a year counts.
CREATE TABLE gdp_growth (
    area_code   TEXT NOT NULL,
    year        BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    rate        BIGINT NOT NULL,
    source      TEXT NOT NULL,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL,
    PRIMARY KEY (area_code, year, seq)
);

INSERT INTO plans (id, name, name_en, baseline_date, target_date, source) VALUES
  ('331003-14', '黄岩区残疾人事业发展“十四五”规划', 'Huangyan disability-services plan 2021–2025',
   '2020-12-31', '2025-12-31', '黄岩区残疾人事业发展“十四五”规划（2021—2025年）');

INSERT INTO plan_targets (plan_id, key, seq, section, name, name_en, unit, attribute, baseline, target, target_year, measure) VALUES
  ('331003-14', 'income_growth', 1, '专栏1-1', '残疾人家庭人均可支配收入年均增长', 'Growth of disabled households'' disposable income per head', 'growth', 'expected', NULL, NULL, 2025, 'computed'),
  ('331003-14', 'living_subsidy_coverage', 2, '专栏1-2', '困难残疾人生活补贴覆盖率', 'Living subsidy coverage of low-income disabled people', 'ratio', 'binding', 980000, 990000, 2025, 'computed'),
  ('331003-14', 'nursing_subsidy_coverage', 3, '专栏1-3', '重度残疾人护理补贴覆盖率', 'Nursing subsidy coverage of severely disabled people', 'ratio', 'binding', 980000, 990000, 2025, 'computed'),
  ('331003-14', 'home_of_disabled_coverage', 4, '专栏1-4', '“残疾人之家”覆盖率', 'Coverage of homes of the disabled', 'ratio', 'binding', 1000000, 1000000, 2025, 'computed'),
  ('331003-14', 'care_institution_coverage', 5, '专栏1-5', '残疾人专业托养机构覆盖率', 'Coverage of professional care institutions', 'ratio', 'binding', 1000000, 1000000, 2025, 'computed'),
  ('331003-14', 'child_rehab_standardized', 6, '专栏1-6', '规范化残疾儿童康复机构覆盖率', 'Share of standardized child rehabilitation institutions', 'ratio', 'binding', 440000, 1000000, 2025, 'computed'),
  ('331003-14', 'pension_insurance', 7, '专栏1-7', '残疾人城乡居民基本养老保险参保率', 'Basic pension insurance enrolment', 'ratio', 'expected', 980000, 990000, 2025, 'computed'),
  ('331003-14', 'medical_insurance', 8, '专栏1-8', '残疾人城乡居民基本医疗保险参保率', 'Basic medical insurance enrolment', 'ratio', 'expected', 980000, 990000, 2025, 'computed'),
  ('331003-14', 'employment_rate', 9, '专栏1-9', '残疾人就业率', 'Employment rate', 'ratio', 'expected', 570000, 620000, 2025, 'computed'),
  ('331003-14', 'high_school_progression', 10, '专栏1-10', '残疾学生接受高中阶段教育比例', 'Disabled students in high-school-stage education', 'ratio', 'binding', 810000, 950000, 2025, 'computed'),
  ('331003-14', 'rehab_coverage', 11, '专栏1-11', '残疾人基本康复服务覆盖率', 'Basic rehabilitation service coverage', 'ratio', 'binding', 950000, 990000, 2025, 'computed'),
  ('331003-14', 'device_fitting', 12, '专栏1-12', '残疾人辅助器具适配率', 'Assistive device fitting rate', 'ratio', 'binding', 950000, 990000, 2025, 'computed'),
  ('331003-14', 'home_modification', 13, '专栏1-13', '符合条件残疾人家庭无障碍改造率', 'Home accessibility modification of eligible households', 'ratio', 'binding', 900000, 950000, 2025, 'computed'),
  ('331003-14', 'culture_sports', 14, '专栏1-14', '残疾人文体服务覆盖率', 'Culture and sports service coverage', 'ratio', 'expected', 900000, 950000, 2025, 'computed'),
  ('331003-14', 'care_institutional_share', 21, '专栏2-6', '有需求的重度、精神和智力残疾人机构托养庇护服务比例', 'Severe, mental and intellectual disability in need of institutional care who receive it', 'ratio', NULL, NULL, 900000, 2025, 'computed'),
  ('331003-14', 'village_apartments', 22, '专栏2-6', '建设残疾人公寓的村居比例', 'Villages and communities with apartments for disabled people', 'ratio', NULL, NULL, 200000, 2025, 'manual'),
  ('331003-14', 'employed_quota_concentrated_self', 31, '专栏3-4', '按比例就业、集中就业和个体就业残疾人人数', 'Disabled people in quota, concentrated or self employment', 'count', NULL, NULL, 600, 2025, 'computed'),
  ('331003-14', 'public_units_employing', 32, '专栏3-4', '区残工委成员单位安置残疾人就业比例', 'Member units of the disability working committee employing a disabled person', 'ratio', NULL, NULL, 1000000, 2025, 'manual'),
  ('331003-14', 'blind_massage_institutions', 33, '专栏3-5', '盲人保健按摩机构数', 'Blind massage institutions', 'count', NULL, NULL, 10, 2025, 'computed'),
  ('331003-14', 'blind_medical_masseurs', 34, '专栏3-5', '盲人医疗按摩人员数', 'Blind medical masseurs', 'count', NULL, NULL, 5, 2025, 'manual'),
  ('331003-14', 'training_person_times', 35, '专栏3-7', '每年精准培训残疾人人次', 'Person-times of training a year', 'count', NULL, NULL, 200, 2025, 'manual'),
  ('331003-14', 'digital_tv_coverage', 36, '专栏3-9', '农村困难和重度残疾人家庭数字电视、盲人收音设备覆盖率', 'Digital TV and radio sets for rural low-income and severely disabled households', 'ratio', NULL, NULL, 1000000, 2025, 'manual'),
  ('331003-14', 'petition_closure', 41, '专栏4-7', '残疾人信访办结率', 'Petitions closed on time', 'ratio', NULL, NULL, 950000, 2025, 'manual'),
  ('331003-14', 'township_chairs', 51, '专栏5-1', '配备残联理事长的乡镇（街道）比例', 'Townships with a federation chair', 'ratio', NULL, NULL, 1000000, 2025, 'manual'),
  ('331003-14', 'social_organisations', 52, '专栏5-4', '培育助残社会组织机构数', 'Social organisations cultivated', 'count', NULL, NULL, 3, 2025, 'manual'),
  ('331003-14', 'accessible_film_screenings', 53, '专栏5-5', '无障碍观影志愿服务场次', 'Accessible film screenings', 'count', NULL, NULL, 100, 2025, 'manual'),
  ('331003-14', 'accessible_film_person_times', 54, '专栏5-5', '无障碍观影惠及残疾人人次', 'Person-times at accessible film screenings', 'count', NULL, NULL, 1000, 2025, 'manual'),
  ('331003-14', 'smart_card_rate', 55, '专栏5-8', '智能化残疾人证换发率', 'Smart-card replacement rate', 'ratio', NULL, NULL, 1000000, 2025, 'computed');
