-- Training (残疾人职业培训): the courses and who took them. A person-time is one person
-- completing one course; a year's are those of the courses ending in it.
CREATE TABLE employment_courses (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    -- vocational / practical / entrepreneurship / massage / digital / other
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    -- The organising area (a township, or the district).
    area_code TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX employment_courses_end ON employment_courses (ends_on);

CREATE TABLE employment_trainees (
    course_id TEXT NOT NULL REFERENCES employment_courses (id),
    citizen_id TEXT NOT NULL,
    completed BOOLEAN NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (course_id, citizen_id)
);
CREATE INDEX employment_trainees_person ON employment_trainees (citizen_id);
