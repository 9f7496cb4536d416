//! Training (残疾人职业培训, 专栏3-7: 200 person-times a year): the courses and who took them.
//! A person-time is one person completing one course; a year's person-times are those of the
//! courses ending in it. Every write keeps the plan's `training_person_times` target current
//! (a progress entry in the same transaction), appends the trainee's timeline, the change
//! counter and the audit record.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use zhucan_domain::coded_enum;
use zhucan_domain::ids::CitizenId;
use zhucan_domain::timeline::{EventKind, NewEvent};
use zhucan_store::audit::AuditEvent;
use zhucan_store::registry::Actor;
use zhucan_store::rows::{corrupt, date};
use zhucan_store::{Result, Store, Tx, now_text, on_pool, on_tx};

/// The plan target the person-times measure.
pub const TARGET: &str = "training_person_times";

coded_enum! {
    /// What a course teaches.
    pub enum CourseKind {
        Vocational = ("vocational", "职业技能培训", "vocational skills"),
        Practical = ("practical", "农村实用技术培训", "rural practical techniques"),
        Entrepreneurship = ("entrepreneurship", "创业培训", "starting a business"),
        Massage = ("massage", "盲人按摩培训", "blind massage"),
        Digital = ("digital", "电商与数字技能培训", "e-commerce and digital skills"),
        Other = ("other", "其他培训", "other training"),
    }
}

/// A course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Course {
    pub id: String,
    pub title: String,
    pub kind: CourseKind,
    pub provider: String,
    pub area_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub created_by: String,
    pub created_at: String,
    /// Trainees who completed it.
    pub completed: i64,
    /// Trainees listed.
    pub listed: i64,
}

/// A course to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCourse {
    pub title: String,
    pub kind: CourseKind,
    pub provider: String,
    pub area_code: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct CourseRow {
    id: String,
    title: String,
    kind: String,
    provider: String,
    area_code: String,
    starts_on: String,
    ends_on: String,
    created_by: String,
    created_at: String,
    completed: i64,
    listed: i64,
}

impl CourseRow {
    fn into_domain(self) -> Result<Course> {
        Ok(Course {
            kind: CourseKind::parse(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))?,
            starts_on: date("starts_on", &self.starts_on)?,
            ends_on: date("ends_on", &self.ends_on)?,
            id: self.id,
            title: self.title,
            provider: self.provider,
            area_code: self.area_code,
            created_by: self.created_by,
            created_at: self.created_at,
            completed: self.completed,
            listed: self.listed,
        })
    }
}

const COURSE_COLUMNS: &str = "c.id, c.title, c.kind, c.provider, c.area_code, c.starts_on, c.ends_on, c.created_by, c.created_at, (SELECT COUNT(*) FROM employment_trainees t WHERE t.course_id = c.id AND t.completed = TRUE) AS completed, (SELECT COUNT(*) FROM employment_trainees t WHERE t.course_id = c.id) AS listed";

/// A trainee of a course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Trainee {
    pub citizen_id: String,
    pub completed: bool,
    pub added_by: String,
    pub added_at: String,
}

/// What adding a trainee did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Done,
    /// Already on the course.
    Already,
    /// No such course.
    Missing,
}

/// The training's queries.
#[allow(async_fn_in_trait)]
pub trait TrainingStore {
    async fn add_course(&self, c: &NewCourse, by: &str, audit: &AuditEvent) -> Result<String>;
    async fn course(&self, id: &str) -> Result<Option<Course>>;
    /// The courses ending in `year`, the latest first.
    async fn courses(&self, year: i32) -> Result<Vec<Course>>;
    async fn trainees(&self, course: &str) -> Result<Vec<Trainee>>;
    /// Adds a person to a course (completed when the course has ended), with a timeline
    /// event.
    async fn add_trainee(
        &self,
        course: &str,
        id: &CitizenId,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Added>;
    /// Marks a trainee as having completed the course or not (`false`: not on it).
    async fn set_completed(
        &self,
        course: &str,
        id: &CitizenId,
        completed: bool,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool>;
    /// The person-times of `year` (completed trainees of the courses ending in it) whose
    /// person's home area starts with `area`.
    async fn person_times(&self, year: i32, area: &str) -> Result<i64>;
}

async fn person_times_in(tx: &mut Tx, year: i32) -> Result<i64> {
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    Ok(on_tx!(tx, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM employment_trainees t JOIN employment_courses c ON c.id = t.course_id WHERE t.completed = TRUE AND c.ends_on >= $1 AND c.ends_on <= $2")
            .bind(&from).bind(&to).fetch_one(&mut *c).await?
    }))
}

/// Keeps the plan's target current: the district's person-times of the course's year, as of
/// today (a past year's dated its last day).
async fn measure_in(tx: &mut Tx, year: i32, by: &str) -> Result<()> {
    let value = person_times_in(tx, year).await?;
    let today = chrono::Local::now().date_naive();
    let as_of = if year < today.year() {
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today)
    } else {
        today
    };
    zhucan_plan::store::record_measured_in(
        tx,
        TARGET,
        value,
        as_of,
        &format!("{year} 年培训记录汇总（就业模块，自动）"),
        by,
    )
    .await
}

async fn course_end_in(tx: &mut Tx, course: &str) -> Result<Option<(NaiveDate, String)>> {
    let row: Option<(String, String)> = on_tx!(tx, c => {
        sqlx::query_as("SELECT ends_on, title FROM employment_courses WHERE id = $1")
            .bind(course).fetch_optional(&mut *c).await?
    });
    match row {
        None => Ok(None),
        Some((e, title)) => Ok(Some((date("ends_on", &e)?, title))),
    }
}

impl TrainingStore for Store {
    async fn add_course(&self, c: &NewCourse, by: &str, audit: &AuditEvent) -> Result<String> {
        let mut tx = self.begin().await?;
        let id = zhucan_store::accounts::ordered_id();
        let now = now_text();
        on_tx!(&mut tx, x => {
            sqlx::query("INSERT INTO employment_courses (id, title, kind, provider, area_code, starts_on, ends_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(&id).bind(&c.title).bind(c.kind.key()).bind(&c.provider).bind(&c.area_code).bind(c.starts_on.to_string()).bind(c.ends_on.to_string()).bind(by).bind(&now)
                .execute(&mut *x).await?;
        });
        let mut audit = audit.clone();
        audit.object = id.clone();
        crate::store::finish(tx, &audit).await?;
        Ok(id)
    }

    async fn course(&self, id: &str) -> Result<Option<Course>> {
        let q = format!("SELECT {COURSE_COLUMNS} FROM employment_courses c WHERE c.id = $1");
        let row: Option<CourseRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(id).fetch_optional(p).await?
        });
        row.map(CourseRow::into_domain).transpose()
    }

    async fn courses(&self, year: i32) -> Result<Vec<Course>> {
        let q = format!(
            "SELECT {COURSE_COLUMNS} FROM employment_courses c WHERE c.ends_on >= $1 AND c.ends_on <= $2 ORDER BY c.ends_on DESC, c.id DESC"
        );
        let rows: Vec<CourseRow> = on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(q.as_str())).bind(format!("{year}-01-01")).bind(format!("{year}-12-31")).fetch_all(p).await?
        });
        rows.into_iter().map(CourseRow::into_domain).collect()
    }

    async fn trainees(&self, course: &str) -> Result<Vec<Trainee>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT citizen_id, completed, added_by, added_at FROM employment_trainees WHERE course_id = $1 ORDER BY added_at, citizen_id")
                .bind(course).fetch_all(p).await?
        }))
    }

    async fn add_trainee(
        &self,
        course: &str,
        id: &CitizenId,
        actor: &Actor<'_>,
        audit: &AuditEvent,
    ) -> Result<Added> {
        let mut tx = self.begin().await?;
        let Some((ends_on, title)) = course_end_in(&mut tx, course).await? else {
            return Ok(Added::Missing);
        };
        let (year, ended) = (ends_on.year(), ends_on <= chrono::Local::now().date_naive());
        let n = on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO employment_trainees (course_id, citizen_id, completed, added_by, added_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (course_id, citizen_id) DO NOTHING")
                .bind(course).bind(id.as_str()).bind(ended).bind(actor.name).bind(now_text())
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(Added::Already);
        }
        let events = [NewEvent {
            kind: EventKind::ServiceStep,
            occurred_on: None,
            summary: format!("参加培训：{title}"),
        }];
        zhucan_store::registry::touch(&mut tx, id.as_str(), &events, actor).await?;
        measure_in(&mut tx, year, actor.name).await?;
        crate::store::finish(tx, audit).await?;
        Ok(Added::Done)
    }

    async fn set_completed(
        &self,
        course: &str,
        id: &CitizenId,
        completed: bool,
        by: &str,
        audit: &AuditEvent,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let Some((ends_on, _)) = course_end_in(&mut tx, course).await? else {
            return Ok(false);
        };
        let year = ends_on.year();
        let n = on_tx!(&mut tx, c => {
            sqlx::query("UPDATE employment_trainees SET completed = $3 WHERE course_id = $1 AND citizen_id = $2")
                .bind(course).bind(id.as_str()).bind(completed)
                .execute(&mut *c).await?.rows_affected()
        });
        if n != 1 {
            return Ok(false);
        }
        measure_in(&mut tx, year, by).await?;
        crate::store::finish(tx, audit).await?;
        Ok(true)
    }

    async fn person_times(&self, year: i32, area: &str) -> Result<i64> {
        let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM employment_trainees t JOIN employment_courses c ON c.id = t.course_id JOIN persons p ON p.citizen_id = t.citizen_id WHERE t.completed = TRUE AND c.ends_on >= $1 AND c.ends_on <= $2 AND COALESCE(p.village_code, p.township_code) LIKE $3")
                .bind(&from).bind(&to).bind(format!("{area}%")).fetch_one(p).await?
        }))
    }
}
