# Messages of this crate in English. Keys are shared with the other language's file.

## src/cli.rs
area = Area
indicator = indicator
value = value
num-den = num/den
target = target
baseline = baseline
status = status

## src/evaluation.rs
evaluation = evaluation
no = No.
indicator-2 = Indicator
attribute = Attribute
baseline-2020 = Baseline 2020
target-2025 = Target 2025
numerator = Numerator
denominator = Denominator
value-2 = Value
status-2 = Status
indicators = Indicators
reference-date = Reference date:{" "}
area-2 = Area:{" "}
townships = Townships
township = Township
comparison = Comparison
indicators-behind = Indicators behind
other-targets = Other targets
section = Section
target-2 = Target
target-value = Target value
source = Source
as-of = As of
evidence = Evidence

## src/facts.rs
met = met
on-track = on track
behind = behind
no-data = no data

## src/pages.rs
trend-no-data = Trend: no data
reference-date-2 = Reference date
plan-indicators = Plan indicators
persons-counted-this-year = Persons counted this year
persons-counted-last-year = Persons counted last year
gap-in-the-denominator-not-the = Gap (in the denominator, not the numerator)
type = Type
population = Population
institution = Institution
standardized = Standardized
designated = Designated
opened = Opened
name = Name
citizen-id = Citizen ID
village = Village
category-grade = Category / grade
certificate = Certificate
plan-evaluation-report = Plan evaluation report
choose = Choose
value-as-of = Value as of
e-g-2025-12-31-not = e.g. 2025-12-31; not after today
value-3 = Value
a-ratio-as-95-or-0 = a ratio as 95% or 0.95; a count as a whole number (e.g. 120)
evidence-document-ledger-or-note = Evidence (document, ledger or note)
at-most-500-characters = at most 500 characters
targets-of-sections-2-5 = Targets of sections 2–5
progress-saved = Progress saved.
is-required = is required
must-be-at-most-500-characters = must be at most 500 characters
year = Year
district-gdp-growth = District GDP growth
write-6-5-or-0-065 = write 6.5% or 0.065
source-statistical-bulletin = Source (statistical bulletin, …)
saved = Saved.
must-be-at-most-200-characters = must be at most 200 characters
n-5-withheld = <5 (withheld)
withheld = withheld
disability-services-main-indicators-public = Disability services: main indicators (public)

## templates/_targets_table.html
as-of-evidence = As of, evidence

## templates/gdp.html
indicator-1-s-target-is-growth = Indicator 1's target is growth in step with the district GDP: enter each year's rate from the statistical bulletin. Every entry is kept; the latest one of a year counts.
entered = Entered
nothing-entered-yet = Nothing entered yet.
growth = Growth
entered-by = Entered by
entered-at-utc = Entered at (UTC)
enter-a-rate = Enter a rate
save = Save

## templates/indicator_people.html
back-to-the-indicators = Back to the indicators
which-list = Which list
list = List
export-this-list-xlsx = Export this list (xlsx)

## templates/indicator_report.html
plan = Plan
reference-date-3 = Reference date
download-the-evaluation-workbook-xlsx = Download the evaluation workbook (xlsx)
n-1-main-indicators-section-1 = 1. Main indicators (section 1)
numerator-denominator = Numerator / denominator
n-2-indicators-by-township = 2. Indicators by township
behind-2 = Behind
met-behind-column-heads-are-indicator = ✓ met　▼ behind　Column heads are indicator numbers.
n-3-other-targets-sections-2-5 = 3. Other targets (sections 2–5)

## templates/indicators.html
the-14-main-indicators-of-the = The 14 main indicators of the plan (section 1), computed live for the chosen date and area. Every number opens the people, households, townships or institutions behind it.
e-g-2025-12-31 = e.g. 2025-12-31
error = Error:{" "}
compute = Compute
evaluation-report-printable = Evaluation report (printable)
other-targets-sections-2-5 = Other targets (sections 2–5)
record-progress-of-sections-2-5 = Record progress of sections 2–5
main-indicators = Main indicators
baseline-2 = Baseline
target-3 = Target
not-covered = Not covered
trend = Trend
township-by-township = Township by township
behind-means-below-where-the-plan = “Behind” means below where the plan's schedule says it should be. Select a value to see that township's people.
monthly-trend-since-2020 = Monthly trend since 2020
each-line-shows-the-month-end = Each line shows the month-end values, the dashed line the 2025 target; the table under each chart has the same numbers.
data-table = Data table
date = Date
value-4 = Value

## templates/plan_targets.html
targets-the-registry-answers-are-computed = Targets the registry answers are computed live (select a value for its list); the others are entered by the district federation with a value, a date and evidence, and the latest entry on or before the reference date counts.
reference-date-4 = Reference date:{" "}
targets-and-progress = Targets and progress
record-progress = Record progress

## templates/public_indicators.html
disability-services-main-indicators = Disability services: main indicators
this-page-publishes-the-district-s = This page publishes the district's values of the plan's main indicators. It holds no personal data; numbers of fewer than 5 people are withheld.
show = Show

## src/pages.rs
partner-departments-see-the-numbers-only = Partner departments see the numbers only, not the names (data minimisation); to check a person, look them up by citizen ID.

## templates/indicator_people.html

## src/api.rs: error codes
error-no-plan = no development plan is configured; indicators cannot be computed
