//! The columns of the three sheets and the search for the header row.

use std::collections::HashMap;

use calamine::Data;

use crate::cell;
use crate::error::MissingColumn;
use crate::grid::Grid;

/// One column of a sheet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldDef {
    pub zh: &'static str,
    pub key: &'static str,
    pub required: bool,
    /// Other spellings seen in real rosters.
    pub aliases: &'static [&'static str],
}

/// A column without other spellings.
pub(crate) const fn f(zh: &'static str, key: &'static str, required: bool) -> FieldDef {
    FieldDef {
        zh,
        key,
        required,
        aliases: &[],
    }
}

/// A column with other spellings seen in real files.
pub(crate) const fn fa(
    zh: &'static str,
    key: &'static str,
    required: bool,
    aliases: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        zh,
        key,
        required,
        aliases,
    }
}

/// Indices into [`PERSON_FIELDS`].
pub(crate) mod p {
    pub const NAME: usize = 0;
    pub const CITIZEN_ID: usize = 1;
    pub const CERTIFICATE_NO: usize = 2;
    pub const CATEGORY: usize = 3;
    pub const GRADE: usize = 4;
    pub const COMPONENTS: usize = 5;
    pub const ISSUED_ON: usize = 6;
    pub const VALID_UNTIL: usize = 7;
    pub const STATUS: usize = 8;
    pub const SMART_CARD: usize = 9;
    pub const TOWNSHIP: usize = 10;
    pub const VILLAGE: usize = 11;
    pub const HUKOU: usize = 12;
    pub const HOUSEHOLD_ID: usize = 13;
    pub const HOUSEHOLD_SIZE: usize = 14;
    pub const PHONE: usize = 15;
    pub const DIED_ON: usize = 16;
    pub const MOVED_OUT_ON: usize = 17;
    pub const ECONOMIC_STATUS: usize = 18;
    pub const INCOME: usize = 19;
    pub const LIVING_SINCE: usize = 20;
    pub const LIVING_UNTIL: usize = 21;
    pub const NURSING_SINCE: usize = 22;
    pub const NURSING_UNTIL: usize = 23;
    pub const PENSION: usize = 24;
    pub const MEDICAL: usize = 25;
    pub const EMPLOYMENT: usize = 26;
    pub const NOT_EMPLOYED_REASON: usize = 27;
    pub const SCHOOL_STAGE: usize = 28;
    pub const COMPLETED_COMPULSORY: usize = 29;
    pub const NEEDS_REHAB: usize = 30;
    pub const RECEIVED_REHAB: usize = 31;
    pub const NEEDS_DEVICE: usize = 32;
    pub const DEVICE_FITTED: usize = 33;
    pub const NEEDS_HOME_MOD: usize = 34;
    pub const HOME_MOD_DONE: usize = 35;
    pub const CARE_NEED: usize = 36;
    pub const RECEIVES_CARE: usize = 37;
    pub const CULTURE_SPORTS: usize = 38;
    pub const SURVEY_YEAR: usize = 39;
    pub const GUARDIAN_NAME: usize = 40;
    pub const GUARDIAN_PHONE: usize = 41;
    pub const REVOKED_ON: usize = 42;
}

/// The persons sheet (人员), in the order of `import-format.md`.
pub(crate) const PERSON_FIELDS: [FieldDef; 43] = [
    f("姓名", "name", true),
    fa(
        "公民身份号码",
        "citizen_id",
        true,
        &[
            "身份证号",
            "身份证号码",
            "公民身份证号码",
            "公民身份证号",
            "身份证",
        ],
    ),
    fa(
        "残疾人证号",
        "certificate_no",
        true,
        &["残疾证号", "残疾人证号码", "残疾证号码"],
    ),
    fa("残疾类别", "category", true, &["残疾类型"]),
    fa("残疾等级", "grade", true, &["残疾级别"]),
    fa(
        "多重残疾构成",
        "multiple_components",
        false,
        &["多重残疾类别"],
    ),
    fa(
        "发证日期",
        "certificate_issued_on",
        true,
        &["发证时间", "办证日期", "领证日期"],
    ),
    fa(
        "有效期至",
        "certificate_valid_until",
        false,
        &["有效期", "证件有效期至"],
    ),
    f("证件状态", "certificate_status", false),
    fa(
        "智能化证",
        "smart_card",
        false,
        &["智能化残疾人证", "第三代残疾人证"],
    ),
    fa(
        "乡镇街道",
        "township",
        true,
        &["乡镇", "街道乡镇", "乡镇(街道)", "乡(镇、街道)", "所属乡镇"],
    ),
    fa(
        "村社区",
        "village",
        false,
        &["村(社区)", "村居", "社区村", "村", "所属村社区"],
    ),
    f("户口性质", "hukou_type", false),
    f("户编号", "household_id", false),
    fa("家庭人口数", "household_size", false, &["家庭人口"]),
    fa(
        "联系电话",
        "phone",
        false,
        &["电话", "手机号码", "联系方式"],
    ),
    f("死亡日期", "died_on", false),
    f("迁出日期", "moved_out_on", false),
    f("家庭经济状况", "economic_status", false),
    fa(
        "家庭人均可支配收入",
        "income_per_capita",
        false,
        &["家庭人均收入", "人均可支配收入"],
    ),
    f("生活补贴开始年月", "living_subsidy_since", false),
    f("生活补贴停发年月", "living_subsidy_until", false),
    f("护理补贴开始年月", "nursing_subsidy_since", false),
    f("护理补贴停发年月", "nursing_subsidy_until", false),
    f("养老保险", "pension_insurance", false),
    f("医疗保险", "medical_insurance", false),
    f("就业状况", "employment_status", false),
    f("未就业原因", "not_employed_reason", false),
    f("在读阶段", "school_stage", false),
    f("完成义务教育", "completed_compulsory", false),
    f("康复需求", "needs_rehab", false),
    f("获得康复服务", "received_rehab", false),
    f("辅具需求", "needs_device", false),
    f("辅具已适配", "device_fitted", false),
    f("无障碍改造需求", "needs_home_modification", false),
    f("无障碍改造已完成", "home_modification_done", false),
    f("托养需求", "care_need", false),
    f("接受托养服务", "receives_care", false),
    f("文体服务", "culture_sports", false),
    fa("调查年度", "survey_year", false, &["年度"]),
    // Beyond import-format.md (optional): the guardian of the person file (R1.1), so that an
    // export re-imports without losing it.
    fa("监护人姓名", "guardian_name", false, &["监护人"]),
    f("监护人电话", "guardian_phone", false),
    // Beyond import-format.md (optional): when a revoked certificate was revoked, so that the
    // months before still count as certified (a re-export keeps it).
    fa(
        "注销日期",
        "certificate_revoked_on",
        false,
        &["证件注销日期", "残疾人证注销日期"],
    ),
];

/// Indices into [`INSTITUTION_FIELDS`].
pub(crate) mod i {
    pub const NAME: usize = 0;
    pub const KIND: usize = 1;
    pub const TOWNSHIP: usize = 2;
    pub const STANDARDIZED: usize = 3;
    pub const DESIGNATED: usize = 4;
    pub const BEDS: usize = 5;
    pub const STARS: usize = 6;
    pub const OPENED_ON: usize = 7;
    pub const CLOSED_ON: usize = 8;
}

/// The institutions sheet (机构).
pub(crate) const INSTITUTION_FIELDS: [FieldDef; 9] = [
    f("机构名称", "name", true),
    f("机构类型", "kind", true),
    fa("乡镇街道", "township", true, &["乡镇", "乡镇(街道)"]),
    f("规范化", "standardized", false),
    f("定点", "designated", false),
    f("床位数", "beds", false),
    f("星级", "stars", false),
    f("成立日期", "opened_on", true),
    f("关闭日期", "closed_on", false),
];

/// Indices into [`AREA_FIELDS`].
pub(crate) mod a {
    pub const CODE: usize = 0;
    pub const NAME: usize = 1;
    pub const POPULATION: usize = 2;
}

/// The areas sheet (区划).
pub(crate) const AREA_FIELDS: [FieldDef; 3] = [
    fa("区划代码", "code", true, &["代码", "行政区划代码"]),
    fa("名称", "name", true, &["区划名称"]),
    f("户籍人口", "population", false),
];

/// How many rows from the top are searched for the header row.
const HEADER_SCAN_ROWS: usize = 30;

/// Normalises a header: full-width ASCII to ASCII, ideographic space to space, drops white
/// space, `_`, `-` and `*` (required-column markers), lower-cases ASCII.
pub(crate) fn norm_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = cell::half_width(c);
        if c.is_whitespace() || matches!(c, '_' | '-' | '*' | '\u{feff}') {
            continue;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Strips a trailing parenthesised note: `家庭人均可支配收入(元)` → `家庭人均可支配收入`.
fn strip_note(s: &str) -> Option<&str> {
    let t = s.strip_suffix(')')?;
    let open = t.rfind('(')?;
    let head = &t[..open];
    (!head.is_empty()).then_some(head)
}

/// Header spellings of one sheet.
pub(crate) struct HeaderMatcher {
    fields: &'static [FieldDef],
    by_name: HashMap<String, usize>,
}

impl HeaderMatcher {
    pub fn new(fields: &'static [FieldDef]) -> HeaderMatcher {
        let mut by_name = HashMap::new();
        for (idx, fd) in fields.iter().enumerate() {
            // Canonical names win over aliases of another field.
            by_name.insert(norm_header(fd.zh), idx);
            by_name.insert(norm_header(fd.key), idx);
        }
        for (idx, fd) in fields.iter().enumerate() {
            for alias in fd.aliases {
                by_name.entry(norm_header(alias)).or_insert(idx);
            }
        }
        HeaderMatcher { fields, by_name }
    }

    pub fn fields(&self) -> &'static [FieldDef] {
        self.fields
    }

    /// The field a header cell names, if any.
    pub fn field_of(&self, header: &str) -> Option<usize> {
        let n = norm_header(header);
        if n.is_empty() {
            return None;
        }
        if let Some(&i) = self.by_name.get(&n) {
            return Some(i);
        }
        strip_note(&n).and_then(|h| self.by_name.get(h).copied())
    }

    /// How many distinct fields a row names.
    fn score(&self, row: &[Data]) -> usize {
        let mut seen = vec![false; self.fields.len()];
        let mut n = 0;
        for c in row {
            if let Data::String(s) = c
                && let Some(i) = self.field_of(s)
                && !seen[i]
            {
                seen[i] = true;
                n += 1;
            }
        }
        n
    }
}

/// The header row found in a sheet.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// Index of the header row within the grid.
    pub row_index: usize,
    /// Excel row number of the header row.
    pub excel_row: u32,
    /// Field → column index within the grid.
    pub cols: Vec<Option<usize>>,
    /// Field → header text as written in the file (the canonical Chinese header if absent).
    pub titles: Vec<String>,
    /// Columns whose header is not recognised: (column index, header text).
    pub unknown: Vec<(usize, String)>,
    /// Columns naming a field already named by an earlier column.
    pub repeated: Vec<(usize, String)>,
}

impl Header {
    pub fn missing_required(&self, fields: &[FieldDef]) -> Vec<MissingColumn> {
        fields
            .iter()
            .zip(&self.cols)
            .filter(|(fd, c)| fd.required && c.is_none())
            .map(|(fd, _)| MissingColumn {
                header: fd.zh,
                key: fd.key,
            })
            .collect()
    }

    pub fn has(&self, field: usize) -> bool {
        self.cols.get(field).is_some_and(|c| c.is_some())
    }

    pub fn title(&self, field: usize) -> &str {
        self.titles.get(field).map(String::as_str).unwrap_or("")
    }
}

/// The number of recognised headers a row must have to count as the header row.
pub(crate) fn threshold(fields: &[FieldDef]) -> usize {
    fields.iter().filter(|f| f.required).count().clamp(1, 3)
}

/// Finds the header row: the row among the first rows naming the most fields, if it names at
/// least `threshold` of them.
pub(crate) fn find_header(grid: &Grid, m: &HeaderMatcher) -> Option<Header> {
    let need = threshold(m.fields());
    let mut best: Option<(usize, usize)> = None;
    for (idx, row) in grid.rows().take(HEADER_SCAN_ROWS).enumerate() {
        let s = m.score(row);
        if s >= need && best.is_none_or(|(_, b)| s > b) {
            best = Some((idx, s));
        }
    }
    let (row_index, _) = best?;
    let row = grid.rows().nth(row_index)?;
    let n = m.fields().len();
    let mut cols = vec![None; n];
    let mut titles: Vec<String> = m.fields().iter().map(|f| f.zh.to_string()).collect();
    let mut unknown = Vec::new();
    let mut repeated = Vec::new();
    for (ci, c) in row.iter().enumerate() {
        if cell::is_blank(c) {
            continue;
        }
        let text = cell::display(c);
        let text = text.trim().to_string();
        match c {
            Data::String(s) => match m.field_of(s) {
                Some(fi) if cols[fi].is_none() => {
                    cols[fi] = Some(ci);
                    titles[fi] = text;
                }
                Some(_) => repeated.push((ci, text)),
                None => unknown.push((ci, text)),
            },
            _ => unknown.push((ci, text)),
        }
    }
    Some(Header {
        row_index,
        excel_row: grid.excel_row(row_index),
        cols,
        titles,
        unknown,
        repeated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_spellings() {
        let m = HeaderMatcher::new(&PERSON_FIELDS);
        assert_eq!(m.field_of("姓名"), Some(p::NAME));
        assert_eq!(m.field_of(" 姓 名 "), Some(p::NAME));
        assert_eq!(m.field_of("*姓名"), Some(p::NAME));
        assert_eq!(m.field_of("Citizen_ID"), Some(p::CITIZEN_ID));
        assert_eq!(m.field_of("ＣＩＴＩＺＥＮ＿ＩＤ"), Some(p::CITIZEN_ID));
        assert_eq!(m.field_of("家庭人均可支配收入（元）"), Some(p::INCOME));
        assert_eq!(m.field_of("乡镇（街道）"), Some(p::TOWNSHIP));
        assert_eq!(m.field_of("备注"), None);
        assert_eq!(m.field_of(""), None);
        assert_eq!(m.field_of("()"), None);
    }

    #[test]
    fn every_header_and_key_is_distinct() {
        for fields in [
            &PERSON_FIELDS[..],
            &INSTITUTION_FIELDS[..],
            &AREA_FIELDS[..],
        ] {
            let mut seen = std::collections::HashSet::new();
            for fd in fields {
                assert!(seen.insert(norm_header(fd.zh)), "{}", fd.zh);
                assert!(seen.insert(norm_header(fd.key)), "{}", fd.key);
            }
        }
    }
}
