//! The command line of `contract.md`: import/export of the registry workbook, accounts, tokens.

#[allow(unused_imports)]
use crate::support::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use rust_xlsxwriter::{Format, Workbook};
use zhucan_domain::ids::with_check_char;

pub(crate) struct Cli {
    dir: tempfile::TempDir,
    pub(crate) url: String,
}

impl Cli {
    pub(crate) fn new() -> Cli {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("z.db").display());
        Cli { dir, url }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhucan"));
        cmd.args(args)
            .arg("--database-url")
            .arg(&self.url)
            .env_remove("LANG")
            .env("ZHUCAN_LOG", "error");
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn zhucan");
        if let Some(s) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(s.as_bytes())
                .expect("write stdin");
        } else {
            drop(child.stdin.take());
        }
        child.wait_with_output().expect("wait")
    }

    pub(crate) async fn store(&self) -> zhucan_store::Store {
        zhucan::open_store(&self.url).await.expect("open")
    }
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn id(birth: &str, seq: u32) -> String {
    with_check_char(&format!("331003{birth}{seq:03}"))
        .expect("17 digits")
        .to_string()
}

/// A roster shaped like a real one: title rows, a merged title, shuffled columns, English keys,
/// mixed date spellings, full-width digits, a legacy 15-digit ID, and four bad rows.
fn messy_roster(path: &Path) -> Vec<u32> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员").expect("name");
    let bold = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 10, "黄岩区持证残疾人花名册", &bold)
        .expect("merge");
    ws.write_string(1, 0, "填报单位：黄岩区残联").expect("w");
    let headers = [
        "乡镇街道",
        " 姓 名 ",
        "certificate_no",
        "公民身份号码",
        "残疾类别",
        "残疾等级",
        "发证日期",
        "家庭经济状况",
        "生活补贴开始年月",
        "调查年度",
        "村社区",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(2, c as u16, *h).expect("w");
    }
    let a = id("19800102", 11);
    let b = id("19700304", 21);
    let bad_check = {
        let mut s = id("19600506", 31);
        let last = s.pop().unwrap_or('0');
        s.push(if last == '1' { '2' } else { '1' });
        s
    };
    let c = id("19900909", 41);
    let e = id("19851111", 51);
    let f = id("19950505", 61);
    let g = id("20000101", 71);
    let fw: String = f
        .chars()
        .map(|ch| {
            if ch.is_ascii_digit() {
                char::from_u32(ch as u32 - 0x30 + 0xff10).unwrap_or(ch)
            } else {
                ch
            }
        })
        .collect();
    // (township, name, cert, id, category, grade, issued, econ, living since, year, village)
    let rows: Vec<[String; 11]> = vec![
        [
            "院桥镇".into(),
            "张三".into(),
            format!("{a}42"),
            a.clone(),
            "肢体".into(),
            "二级".into(),
            "SERIAL:45717".into(),
            "低保".into(),
            "2025-04".into(),
            "2025".into(),
            String::new(),
        ],
        [
            "331003001".into(),
            "李四".into(),
            format!("{b}44"),
            b.clone(),
            "4".into(),
            "4".into(),
            "2025/3/1".into(),
            "无".into(),
            String::new(),
            "2025".into(),
            String::new(),
        ],
        [
            "院桥镇".into(),
            "错号".into(),
            format!("{bad_check}44"),
            bad_check.clone(),
            "肢体".into(),
            "四级".into(),
            "2020-01-01".into(),
            String::new(),
            String::new(),
            "2025".into(),
            String::new(),
        ],
        [
            "宁溪镇".into(),
            "老号".into(),
            "33100370010100251".into(),
            "331003700101002".into(),
            "智力".into(),
            "一级".into(),
            "2019-06-01".into(),
            String::new(),
            String::new(),
            "2025".into(),
            String::new(),
        ],
        [
            "院桥镇".into(),
            "不符".into(),
            format!("{c}44"),
            c.clone(),
            "视力".into(),
            "四级".into(),
            "2021-01-01".into(),
            String::new(),
            String::new(),
            "2025".into(),
            String::new(),
        ],
        [
            "火星镇".into(),
            "无乡".into(),
            format!("{e}44"),
            e.clone(),
            "肢体".into(),
            "四级".into(),
            "2021-01-01".into(),
            String::new(),
            String::new(),
            "2025".into(),
            String::new(),
        ],
        [
            "院桥镇".into(),
            "新村".into(),
            format!("{f}61"),
            fw,
            "精神".into(),
            "一级".into(),
            "2025年3月1日".into(),
            "低边".into(),
            "202504".into(),
            "2025".into(),
            "未登记村".into(),
        ],
        [
            "院桥镇".into(),
            "未来".into(),
            format!("{g}44"),
            g.clone(),
            "肢体".into(),
            "四级".into(),
            "2099-01-01".into(),
            String::new(),
            String::new(),
            "2025".into(),
            String::new(),
        ],
        [
            "北洋镇".into(),
            "王五".into(),
            format!("{}34", id("19660606", 81)),
            id("19660606", 81),
            "言语".into(),
            "四级".into(),
            "20250301".into(),
            "特困".into(),
            String::new(),
            "2024".into(),
            String::new(),
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (3 + r as u32, c as u16);
            if let Some(serial) = v.strip_prefix("SERIAL:") {
                ws.write_number(rr, cc, serial.parse::<f64>().unwrap_or(0.0))
                    .expect("w");
            } else if !v.is_empty() {
                ws.write_string(rr, cc, v).expect("w");
            }
        }
    }
    wb.save(path).expect("save");
    // Excel rows of the bad rows: bad check digit, category mismatch, unknown township, future.
    vec![6, 8, 9, 11]
}

#[test]
fn a_messy_roster_imports_the_good_rows_and_reports_the_bad_ones() {
    let cli = Cli::new();
    let roster = cli.path("roster.xlsx");
    let bad = messy_roster(&roster);
    let report = cli.path("report.json");
    let out = cli.run(
        &[
            "import",
            roster.to_str().unwrap_or(""),
            "--report",
            report.to_str().unwrap_or(""),
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "stdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let rep: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(rep["imported"].as_u64(), Some(5), "{rep:#}");
    let mut rows: Vec<u64> = rep["rejected"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|i| i["row"].as_u64())
        .collect();
    rows.sort();
    rows.dedup();
    assert_eq!(
        rows,
        bad.iter().map(|r| u64::from(*r)).collect::<Vec<_>>(),
        "{rep:#}"
    );
    let msgs = rep["rejected"].to_string();
    assert!(msgs.contains("公民身份号码校验位错误：应为"), "{msgs}");
    assert!(msgs.contains("火星镇"), "{msgs}");
    for i in rep["rejected"].as_array().expect("array") {
        assert_eq!(i["sheet"], "人员");
        assert!(
            !i["column"].as_str().unwrap_or("").is_empty()
                && !i["message"].as_str().unwrap_or("").is_empty()
        );
    }
    let warnings = rep["warnings"].to_string();
    assert!(
        warnings.contains("331003700101002"),
        "the 15-digit upgrade is reported: {warnings}"
    );
    assert!(
        warnings.contains("未登记村"),
        "the unknown village is reported: {warnings}"
    );

    // Re-import: nothing changes.
    let again = cli.run(
        &["import", roster.to_str().unwrap_or(""), "--lang", "en"],
        None,
    );
    assert_eq!(again.status.code(), Some(3));
    assert!(
        text(&again.stdout).contains("(0 new, 0 updated, 5 unchanged)"),
        "{}",
        text(&again.stdout)
    );
    assert!(
        text(&again.stderr).contains("wrong check character"),
        "English reasons: {}",
        text(&again.stderr)
    );

    // Export → import into a fresh database → export: the same data.
    let ex1 = cli.path("ex1.xlsx");
    let out = cli.run(&["export", ex1.to_str().unwrap_or("")], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let other = Cli::new();
    let out = other.run(&["import", ex1.to_str().unwrap_or("")], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let ex2 = other.path("ex2.xlsx");
    assert_eq!(
        other
            .run(&["export", ex2.to_str().unwrap_or("")], None)
            .status
            .code(),
        Some(0)
    );
    let opts = zhucan_workbook::ImportOptions::default();
    let read = |p: &Path| {
        zhucan_workbook::read_workbook(p, &[], &opts, &mut |_, _| {}).expect("read export")
    };
    let (r1, r2) = (read(&ex1), read(&ex2));
    assert_eq!(r1.persons.len(), 5);
    assert_eq!(
        r1.persons
            .iter()
            .map(|p| (&p.record, &p.extras))
            .collect::<Vec<_>>(),
        r2.persons
            .iter()
            .map(|p| (&p.record, &p.extras))
            .collect::<Vec<_>>()
    );
    assert_eq!(r1.areas, r2.areas);
}

#[test]
fn strict_mode_imports_nothing() {
    let cli = Cli::new();
    let roster = cli.path("roster.xlsx");
    messy_roster(&roster);
    let out = cli.run(&["import", roster.to_str().unwrap_or(""), "--strict"], None);
    assert_eq!(out.status.code(), Some(2));
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        assert_eq!(
            cli.store().await.count_persons(None).await.expect("count"),
            0
        )
    });
}

#[test]
fn unreadable_files_get_one_clear_message() {
    let cli = Cli::new();
    let junk = cli.path("junk.xlsx");
    std::fs::write(&junk, "this is not a workbook").expect("write");
    let out = cli.run(&["import", junk.to_str().unwrap_or("")], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        !err.contains("panicked") && err.lines().count() <= 3,
        "{err}"
    );
    assert!(err.contains("junk.xlsx"), "{err}");

    let missing = cli.path("missing.xlsx");
    std::fs::write(&missing, b"").expect("write");
    let out = cli.run(
        &["import", cli.path("nope.xlsx").to_str().unwrap_or("")],
        None,
    );
    assert_eq!(out.status.code(), Some(2));

    // A roster without the 姓名 column.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员").expect("name");
    for (c, h) in [
        "公民身份号码",
        "残疾人证号",
        "残疾类别",
        "残疾等级",
        "发证日期",
        "乡镇街道",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).expect("w");
    }
    let no_name = cli.path("no-name.xlsx");
    wb.save(&no_name).expect("save");
    let out = cli.run(&["import", no_name.to_str().unwrap_or("")], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("姓名"), "{}", text(&out.stderr));
}

#[test]
fn gb18030_csv_imports() {
    let cli = Cli::new();
    let a = id("19800102", 11);
    let csv = format!(
        "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道\n张三,{a},{a}42,肢体,二级,2020-05-01,院桥镇\n"
    );
    let (bytes, _, _) = encoding_rs::GB18030.encode(&csv);
    let path = cli.path("roster.csv");
    std::fs::write(&path, &bytes).expect("write");
    let out = cli.run(&["import", path.to_str().unwrap_or("")], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let s = cli.store().await;
        let id = zhucan_domain::CitizenId::parse(&a).expect("id").id;
        let f = s
            .person_file(&id, &crate::support::any())
            .await
            .expect("file")
            .expect("exists");
        assert_eq!(f.person.name, "张三");
    });
}

#[test]
fn a_killed_import_leaves_whole_rows_only() {
    let cli = Cli::new();
    let mut csv = String::from(
        "姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道,家庭经济状况,调查年度\n",
    );
    for i in 0..6000u32 {
        let birth = (crate::support::d(1940, 1, 1) + chrono::Duration::days(i64::from(i)))
            .format("%Y%m%d")
            .to_string();
        let pid = id(&birth, 1 + i % 900);
        csv.push_str(&format!(
            "人员{i},{pid},{pid}44,肢体,四级,2020-01-01,院桥镇,低保,2025\n"
        ));
    }
    let path = cli.path("big.csv");
    std::fs::write(&path, csv).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args([
            "import",
            path.to_str().unwrap_or(""),
            "--database-url",
            &cli.url,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let _ = child.kill();
    let _ = child.wait();
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let s = cli.store().await;
        let n = s.count_persons(None).await.expect("count");
        let mut after = String::new();
        let mut seen = 0;
        loop {
            let page = s
                .export_page(&after, 500)
                .await
                .expect("every stored person is a whole file");
            let Some(last) = page.last() else { break };
            after = last.0.person.citizen_id.to_string();
            for (f, surveys) in &page {
                seen += 1;
                assert_eq!(surveys.len(), 1, "{}", f.person.name);
                assert_eq!(f.events.len(), 1);
            }
        }
        assert_eq!(seen, n);
    });
    // Importing again completes the file.
    let out = cli.run(&["import", path.to_str().unwrap_or("")], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn accounts_and_tokens() {
    let cli = Cli::new();
    let out = cli.run(
        &[
            "user",
            "add",
            "clerk",
            "--role",
            "township_staff",
            "--area",
            "331003107",
        ],
        Some("a good password 1\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = cli.run(
        &["user", "add", "clerk", "--role", "township_staff"],
        Some("a good password 1\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("clerk"));
    let out = cli.run(
        &["user", "add", "x", "--role", "king"],
        Some("a good password 1\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--role"));
    let out = cli.run(
        &["--lang", "en", "user", "add", "y", "--role", "auditor"],
        Some("short\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("password"),
        "{}",
        text(&out.stderr)
    );
    let out = cli.run(
        &[
            "user",
            "add",
            "z",
            "--role",
            "auditor",
            "--area",
            "999999999",
        ],
        Some("a good password 1\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = cli.run(&["token", "create", "clerk", "--expires", "2h"], None);
    assert_eq!(out.status.code(), Some(0));
    let token = text(&out.stdout);
    assert!(token.trim().starts_with("zc_") && token.lines().count() == 1);
    let out = cli.run(&["token", "create", "nobody"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = cli.run(&["token", "create", "clerk", "--expires", "forever"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn backup_copies_a_live_database() {
    let cli = Cli::new();
    assert_eq!(
        cli.run(&["demo", "--persons", "50"], None).status.code(),
        Some(0)
    );
    let copy = cli.path("copy.db");
    let out = cli.run(&["backup", copy.to_str().unwrap_or("")], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let s = zhucan::open_store(&format!("sqlite://{}", copy.display()))
            .await
            .expect("open copy");
        assert_eq!(s.count_persons(None).await.expect("count"), 50);
    });
    assert_eq!(
        cli.run(&["backup", copy.to_str().unwrap_or("")], None)
            .status
            .code(),
        Some(2),
        "never overwrites"
    );
    assert_eq!(
        cli.run(&["demo"], None).status.code(),
        Some(2),
        "the demo needs an empty database"
    );
}

#[test]
fn the_demo_brings_each_programme_its_organisations_and_accounts() {
    use zhucan_devices::store::DevicesStore;
    use zhucan_homemod::store::HomemodStore;
    use zhucan_rehab::store::RehabStore;
    let cli = Cli::new();
    assert_eq!(
        cli.run(&["demo", "--persons", "50"], None).status.code(),
        Some(0)
    );
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let stock_after_first = rt.block_on(async {
        let s = zhucan::open_store(&cli.url).await.expect("open");
        let designations = s.designations().await.expect("designations");
        assert!(!designations.is_empty(), "designated rehab institutions");
        assert!(s.contractor("HY-SG-01").await.expect("c").is_some());
        let last_year = i64::from(chrono::Datelike::year(&chrono::Local::now().date_naive()) - 1);
        use zhucan_employment::store::EmploymentStore;
        assert_eq!(
            s.declarations(last_year, "331003107")
                .await
                .expect("declarations")
                .len(),
            2
        );
        let stock = s.stock().await.expect("stock");
        assert!(
            stock.iter().any(|i| i.item_key == "wheelchair"),
            "{stock:?}"
        );
        // The first point's account: its first wheelchair is `LY-01-001`.
        let point = stock
            .iter()
            .find(|i| i.code == "LY-01-001")
            .map(|i| i.point_id.clone())
            .expect("the first point's stock");
        for (name, org) in [
            ("kangfu", designations[0].institution_id.as_str()),
            ("shigong", "HY-SG-01"),
            ("fuju", point.as_str()),
            ("danwei", "91331003000000001Y"),
        ] {
            let u = s
                .user_by_username(name)
                .await
                .expect("lookup")
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(
                s.account_org(&u.id).await.expect("org").as_deref(),
                Some(org)
            );
        }
        stock.len()
    });
    // The accounts are printed with the others, and a second start writes nothing twice.
    let out = cli.run(&["user", "list"], None);
    assert!(
        text(&out.stdout).contains("kangfu"),
        "{}",
        text(&out.stdout)
    );
    rt.block_on(async {
        let s = zhucan::open_store(&cli.url).await.expect("open");
        let again = zhucan::programmes().demo(&s).await.expect("demo again");
        assert_eq!(again.len(), 5);
        assert_eq!(s.stock().await.expect("stock").len(), stock_after_first);
    });
}

#[test]
fn an_account_is_bound_to_its_service_point_only_when_both_fit() {
    let cli = Cli::new();
    assert_eq!(
        cli.run(&["demo", "--persons", "20"], None).status.code(),
        Some(0)
    );
    let point = "331003107/院桥镇辅具服务点";
    for (name, role) in [("dian", "institution"), ("clerk2", "township_staff")] {
        let out = cli.run(
            &["user", "add", name, "--role", role, "--area", "331003107"],
            Some("a good password 1\n"),
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    // Each refusal names what is wrong, and binds nothing.
    for (args, says) in [
        (["devices", "bind", "nobody", point], "没有账户“nobody”"),
        (["devices", "bind", "clerk2", point], "的角色不是服务机构"),
        (
            ["devices", "bind", "dian", "331003107/不存在"],
            "“331003107/不存在”不是开放中的辅具服务点",
        ),
    ] {
        let out = cli.run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(says), "{}", text(&out.stderr));
    }
    let out = cli.run(&["devices", "bind", "dian", point], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("已绑定辅具服务点"));
    let out = cli.run(&["devices", "points"], None);
    let listed = text(&out.stdout);
    assert!(
        listed
            .lines()
            .any(|l| l.contains(point) && l.contains("dian")),
        "{listed}"
    );
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let s = zhucan::open_store(&cli.url).await.expect("open");
        let u = s
            .user_by_username("dian")
            .await
            .expect("lookup")
            .expect("dian");
        assert_eq!(
            s.account_org(&u.id).await.expect("org").as_deref(),
            Some(point)
        );
        let q = zhucan_store::audit::AuditQuery {
            action: Some("account.org".into()),
            limit: 10,
            ..Default::default()
        };
        let rows = crate::support::audit_rows(&s, &q, 1).await;
        assert!(rows.iter().any(|r| r.object == "dian"), "{rows:?}");
    });
}

#[test]
fn a_100_000_row_file_with_one_bad_row() {
    let cli = Cli::new();
    let mut csv = String::from(
        "黄岩区持证残疾人花名册\n姓名,公民身份号码,残疾人证号,残疾类别,残疾等级,发证日期,乡镇街道,调查年度\n",
    );
    let base = crate::support::d(1930, 1, 1);
    for i in 0..100_000u32 {
        let birth = (base + chrono::Duration::days(i64::from(i % 25_000)))
            .format("%Y%m%d")
            .to_string();
        let mut pid = id(&birth, 1 + i / 25_000);
        if i == 54_321 {
            // A wrong check character.
            let last = pid.pop().unwrap_or('0');
            pid.push(if last == '1' { '2' } else { '1' });
        }
        csv.push_str(&format!(
            "人员{i},{pid},{pid}44,肢体,四级,2020-01-01,院桥镇,2025\n"
        ));
    }
    let path = cli.path("big.csv");
    std::fs::write(&path, csv).expect("write");
    let report = cli.path("r.json");
    let out = cli.run(
        &[
            "import",
            path.to_str().unwrap_or(""),
            "--report",
            report.to_str().unwrap_or(""),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let rep: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report")).expect("json");
    assert_eq!(rep["imported"], 99_999);
    let rejected = rep["rejected"].as_array().expect("array");
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(
        rejected[0]["row"],
        54_321 + 3,
        "title row + header row + 1-based"
    );
    assert_eq!(rejected[0]["column"], "公民身份号码");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        assert_eq!(
            cli.store().await.count_persons(None).await.expect("count"),
            99_999
        )
    });
}

#[test]
fn audit_verify_names_the_first_broken_record() {
    let cli = Cli::new();
    assert_eq!(
        cli.run(
            &["user", "add", "clerk", "--role", "auditor"],
            Some("a good password 1\n")
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        cli.run(&["token", "create", "clerk"], None).status.code(),
        Some(0)
    );
    assert_eq!(
        cli.run(&["token", "create", "clerk"], None).status.code(),
        Some(0)
    );
    let out = cli.run(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3"), "{}", text(&out.stdout));
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(crate::support::raw_sql(
        &cli.url,
        "UPDATE audit_log SET object = 'someone-else' WHERE seq = 2",
    ));
    let out = cli.run(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("第 2 条"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn roles_change_and_accounts_toggle_from_the_command_line() {
    let cli = Cli::new();
    let add = cli.run(
        &[
            "user",
            "add",
            "clerk",
            "--role",
            "township_staff",
            "--area",
            "331003107",
        ],
        Some("a good password 1\n"),
    );
    assert_eq!(add.status.code(), Some(0), "{}", text(&add.stderr));
    let out = cli.run(&["token", "create", "clerk", "--scope", "admin"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--scope"),
        "{}",
        text(&out.stderr)
    );
    let out = cli.run(&["token", "create", "clerk", "--scope", "read"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let now = chrono::Utc::now().to_rfc3339();
    rt.block_on(async {
        let (_, info) = cli
            .store()
            .await
            .token_user(&zhucan_store::accounts::hash_secret(&token), &now)
            .await
            .expect("q")
            .expect("usable");
        assert_eq!(info.scope.0, zhucan_store::TokenScope::Read);
        assert!(info.label.starts_with("cli:"), "{}", info.label);
    });
    for (args, needle) in [
        (
            vec!["user", "set-role", "clerk", "--role", "king"],
            "--role",
        ),
        (
            vec!["user", "set-role", "nobody", "--role", "auditor"],
            "nobody",
        ),
        (
            vec![
                "user", "set-role", "clerk", "--role", "auditor", "--area", "999",
            ],
            "--area",
        ),
        (
            vec![
                "user",
                "set-role",
                "clerk",
                "--role",
                "auditor",
                "--area",
                "331003999",
            ],
            "331003999",
        ),
        (vec!["user", "disable", "nobody"], "nobody"),
    ] {
        let out = cli.run(&args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains(needle),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = cli.run(
        &[
            "user",
            "set-role",
            "clerk",
            "--role",
            "partner",
            "--area",
            "331003001",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("township_staff → partner")
            && text(&out.stdout).contains("331003107 → 331003001"),
        "{}",
        text(&out.stdout)
    );
    let out = cli.run(&["user", "set-role", "clerk", "--role", "partner"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("没有变化"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        cli.run(&["user", "disable", "clerk"], None).status.code(),
        Some(0)
    );
    let listed = text(&cli.run(&["user", "list"], None).stdout);
    assert!(
        listed.contains("clerk\tpartner\t331003001\tdisabled"),
        "{listed}"
    );
    assert_eq!(
        cli.run(&["user", "enable", "clerk"], None).status.code(),
        Some(0)
    );
    rt.block_on(async {
        let store = cli.store().await;
        assert!(
            store
                .user_for_token(&zhucan_store::accounts::hash_secret(&token), &now)
                .await
                .expect("q")
                .is_none(),
            "the rights changed: the token was revoked"
        );
        let u = store
            .user_by_username("clerk")
            .await
            .expect("q")
            .expect("e");
        assert!(!u.disabled);
        let (_, rows) = store
            .audit_search(&zhucan_store::audit::AuditQuery {
                object: Some("clerk".into()),
                limit: 20,
                ..Default::default()
            })
            .await
            .expect("search");
        let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "account.enable",
                "account.disable",
                "account.rights_change",
                "token.create",
                "account.create"
            ]
        );
        assert!(rows[2].account.starts_with("cli:") && rows[2].detail.contains("township_staff"));
    });
}

#[test]
fn audit_purge_keeps_retention_and_the_chain_verifiable() {
    let cli = Cli::new();
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let _ = cli.store().await;
        crate::support::backdated_audit(&cli.url, 20, 300).await;
    });
    let out = cli.run(&["audit", "purge", "--before", "2020-01-01"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("未清理任何记录"),
        "{}",
        text(&out.stdout)
    );
    let recent = (chrono::Utc::now() - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let out = cli.run(&["audit", "purge", "--before", &recent], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("保存期限"),
        "{}",
        text(&out.stderr)
    );
    let out = cli.run(
        &["--lang", "en", "audit", "purge", "--before", "soon"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--before “soon”"),
        "{}",
        text(&out.stderr)
    );
    let out = cli.run(&["audit", "purge"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("已清理 20 条") && text(&out.stdout).contains("第 20 条"),
        "{}",
        text(&out.stdout)
    );
    let out = cli.run(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("锚点"), "{}", text(&out.stdout));
    // A longer retention set by the security administrator binds the operator too.
    rt.block_on(async {
        let store = cli.store().await;
        let keys = zhucan_web::policy::keys();
        store
            .save_settings(
                &keys,
                0,
                &[("policy.audit_retention_months".into(), "12".into())],
                "sec",
                |_| zhucan_store::audit::AuditEvent {
                    account: "sec".into(),
                    action: "settings.change".into(),
                    ..Default::default()
                },
            )
            .await
            .expect("save");
    });
    let eight_months = (chrono::Utc::now() - chrono::Duration::days(245))
        .format("%Y-%m-%d")
        .to_string();
    let out = cli.run(&["audit", "purge", "--before", &eight_months], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("12 个月"),
        "{}",
        text(&out.stderr)
    );
    // Editing a remaining record is still named.
    rt.block_on(crate::support::raw_sql(
        &cli.url,
        "UPDATE audit_log SET outcome = 'denied' WHERE seq = 22",
    ));
    let out = cli.run(&["audit", "verify"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("第 22 条"),
        "{}",
        text(&out.stderr)
    );
}

/// Starts `zhucan serve` on a free port; returns the child once it serves.
fn serve(cli: &Cli, env: &[(&str, &str)]) -> std::process::Child {
    use std::io::BufRead;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhucan"));
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--database-url", &cli.url])
        .env_remove("LANG")
        .env_remove("ZHUCAN_SECRET_KEY")
        .env_remove("ZHUCAN_SECRET_KEY_FILE")
        .env_remove("ZHUCAN_CERT_KEY")
        .env_remove("ZHUCAN_CERT_KEY_FILE")
        .env_remove("ZHUCAN_PUBLIC_URL")
        .env("ZHUCAN_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn zhucan serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        first.contains("http://127.0.0.1:"),
        "serve did not start: {first}"
    );
    child
}

#[test]
fn serve_makes_a_server_key_and_seals_old_totp_secrets() {
    let cli = Cli::new();
    assert_eq!(
        cli.run(
            &["user", "add", "boss", "--role", "district_admin"],
            Some("a good password 1\n")
        )
        .status
        .code(),
        Some(0)
    );
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let boss = rt.block_on(async {
        let store = cli.store().await;
        let u = store.user_by_username("boss").await.expect("q").expect("e");
        // A secret stored plain, as before encryption.
        store
            .set_totp_pending(&u.id, crate::support::TOTP_SECRET)
            .await
            .expect("secret");
        u.id
    });
    let key_file = cli.path("z.db.key");
    assert!(!key_file.exists());
    let mut child = serve(&cli, &[]);
    let _ = child.kill();
    let _ = child.wait();
    let text_key = std::fs::read_to_string(&key_file).expect("a key file next to the database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "owner only");
    }
    let key = zhucan_web::secrets::SecretKey::from_text(&text_key).expect("64 hex characters");
    let stored = rt.block_on(async {
        cli.store()
            .await
            .user_by_id(&boss)
            .await
            .expect("q")
            .expect("e")
            .totp_secret
            .expect("secret")
    });
    assert!(stored.starts_with("v1:"), "sealed at start: {stored}");
    assert_eq!(
        key.open(&boss, &stored).as_deref(),
        Ok(crate::support::TOTP_SECRET)
    );
    // The next start reads the same key.
    let mut child = serve(&cli, &[]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(std::fs::read_to_string(&key_file).expect("key"), text_key);
    // Without the key file, a database with sealed secrets refuses to start with a new key.
    std::fs::remove_file(&key_file).expect("remove");
    let out = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &cli.url])
        .env_remove("LANG")
        .env_remove("ZHUCAN_SECRET_KEY")
        .env_remove("ZHUCAN_SECRET_KEY_FILE")
        .env("ZHUCAN_LOG", "error")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("找不到服务器密钥文件"),
        "{}",
        text(&out.stderr)
    );
    assert!(!key_file.exists(), "no new key is made");
    // The key from the environment works; a malformed one is refused.
    let mut child = serve(&cli, &[("ZHUCAN_SECRET_KEY", text_key.trim())]);
    let _ = child.kill();
    let _ = child.wait();
    let out = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &cli.url])
        .env_remove("LANG")
        .env("ZHUCAN_SECRET_KEY", "not-a-key")
        .env("ZHUCAN_LOG", "error")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("ZHUCAN_SECRET_KEY"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_makes_a_certificate_key_and_checks_its_options() {
    let cli = Cli::new();
    let key_file = cli.path("z.db.cert-key");
    assert!(!key_file.exists());
    let mut child = serve(&cli, &[]);
    let _ = child.kill();
    let _ = child.wait();
    let text_key =
        std::fs::read_to_string(&key_file).expect("a certificate key next to the database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "owner only");
    }
    let key = zhucan_ecert::token::CertKey::from_text(&text_key).expect("64 hex characters");
    // The next start reads the same key; a key file or the environment may name another.
    let mut child = serve(&cli, &[]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(std::fs::read_to_string(&key_file).expect("key"), text_key);
    let other = cli.path("other.cert-key");
    std::fs::write(&other, zhucan_ecert::token::CertKey::random().to_text()).expect("write");
    let other_text = other.display().to_string();
    let mut child = serve(&cli, &[("ZHUCAN_CERT_KEY_FILE", other_text.as_str())]);
    let _ = child.kill();
    let _ = child.wait();
    let mut child = serve(&cli, &[("ZHUCAN_CERT_KEY", key.to_text().as_str())]);
    let _ = child.kill();
    let _ = child.wait();
    // Bad values are refused at start, naming the value.
    let refused = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhucan"));
        cmd.args(["serve", "--addr", "127.0.0.1:0", "--database-url", &cli.url])
            .args(args)
            .env_remove("LANG")
            .env_remove("ZHUCAN_CERT_KEY")
            .env_remove("ZHUCAN_CERT_KEY_FILE")
            .env_remove("ZHUCAN_PUBLIC_URL")
            .env("ZHUCAN_LOG", "error");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}");
        text(&out.stderr)
    };
    assert!(refused(&[], &[("ZHUCAN_CERT_KEY", "not-a-key")]).contains("ZHUCAN_CERT_KEY"));
    assert!(refused(&["--cert-key-file", "/nonexistent/k"], &[]).contains("/nonexistent/k"));
    assert!(refused(&["--public-url", "ftp://x"], &[]).contains("ftp://x"));
    assert!(refused(&["--cert-code-minutes", "0"], &[]).contains("--cert-code-minutes"));
    // PostgreSQL needs a configured key: refused before the database is opened.
    let out = Command::new(env!("CARGO_BIN_EXE_zhucan"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ])
        .env_remove("LANG")
        .env_remove("ZHUCAN_CERT_KEY")
        .env_remove("ZHUCAN_CERT_KEY_FILE")
        .env("ZHUCAN_LOG", "error")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("电子证照签名密钥"),
        "{}",
        text(&out.stderr)
    );
}
