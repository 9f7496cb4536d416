# Messages of this crate in English. Keys are shared with the other language's file.

## src/cli.rs
reading = reading
rejected = rejected
warning = warning
writing = writing

## src/file_edit.rs
edit-the-file = Edit the file
edit-the-file-not-saved = Edit the file (not saved)
empty = (empty)
you-can-only-move-the-person = you can only move the person within your area
other-parts-of-the-file-such = (other parts of the file, such as a life event or survey values)
dash = —
living-subsidy = Living subsidy
nursing-subsidy = Nursing subsidy

## src/forms.rs
choose = Choose
not-given = Not given
choose-a-township = choose a township
a-move-within-the-district-is = a move within the district is changed here; a move out of the district is a life event
a-multiple-disability-needs-at-least = a multiple disability needs at least two components
the-issue-date-is-before-the = the issue date is before the birth date
must-be-after-the-issue-date = must be after the issue date
not-stated = Not stated
yes = Yes
no = No
yes-no-not-stated = yes / no / not stated
the-income-cannot-be-negative = the income cannot be negative
leave-the-reason-empty-for-a = leave the reason empty for a person in work

## src/import.rs
the-sheet-is-imported-by-district = the 区划 sheet is imported by district administrators only: ignored

## src/io.rs
import-a-roster = Import a roster
choose-the-file-to-import = choose the file to import
internal-error-logged = internal error, logged
not-allowed = not allowed
a-database-error-the-rows-written = a database error; the rows written are whole, the same file can be imported again
import-progress-and-report = Import progress and report
export-registry = Export registry

## src/pages.rs
the-chosen-area-is-outside-your = The chosen area is outside your area.
enter-what-to-search-for = Enter what to search for.
find-a-person = Find a person
deceased = deceased
moved-out = moved out
revoked = revoked
valid = valid
yes-2 = yes
no-2 = no
the-certificate-is-revoked = The certificate is revoked.
current = {" "}(current)
former = {" "}(former)
own-household = (own household)
workbook-import = workbook import
demo-data = demo data
staff-form = staff form
submitted-by-the-person-or-a = submitted by the person or a guardian (service end)
department-feed = department feed
saved = Saved.
register-a-person = Register a person
you-can-only-register-persons-in = you can only register persons in your area
this-citizen-id-already-has-a = this citizen ID already has a file; find it with the search
register-a-person-errors = Register a person (errors)
kind-of-event = Kind of event
record-a-life-event = Record a life event
choose-the-kind-of-event = choose the kind of event
you-can-only-move-a-person = you can only move a person into your area
record-a-life-event-errors = Record a life event (errors)

## templates/event_form.html
the-event-is-appended-to-the = The event is appended to the person's timeline; history is never overwritten.
save-the-event = Save the event
cancel = Cancel

## templates/export.html
export-the-registry-workbook = Export the registry workbook
exports-the-persons-institutions-and-areas = Exports the persons, institutions and areas of the whole district.
exports-the-persons-and-institutions-of = Exports the persons and institutions of your area:{" "}
symbol = .
the-workbook-has-the-import-format = The workbook has the import format (persons, institutions, areas) and re-imports as is. It holds full personal data: keep it under the confidentiality rules; every export is recorded.
download-xlsx = Download xlsx

## templates/import.html
import-a-roster-workbook = Import a roster workbook
there-is-a-problem = There is a problem
persons-institutions-and-areas-of-the = Persons, institutions and areas of the whole district can be imported.
only-persons-and-institutions-of-your = Only persons and institutions of your area are imported:{" "}
rows-outside-it-are-listed-in = . Rows outside it are listed in the report and not imported; the 区划 sheet is imported by district administrators only.
the-format-is-that-of-the = The format is that of the export (xlsx, xls, ods or csv; Chinese or English headers in any order). Importing the same file again changes nothing. The import runs in the background; the next page shows its progress and report.
roster-file = Roster file
at-most-64-mb = at most 64 MB
survey-year = Survey year
used-for-rows-without-empty-the = used for rows without 调查年度; empty: the year of the issue date
upload-and-import = Upload and import
my-recent-imports = My recent imports
recent-imports = Recent imports
file = File
started = Started
result = Result

## templates/import_job.html
refresh-the-progress = Refresh the progress
the-import-runs-in-the-background = The import runs in the background; leaving this page does not stop it.
download-the-report-xlsx = Download the report (xlsx)
download-the-report-json = Download the report (JSON)
import-another-file = Import another file
rows-not-imported = Rows not imported
none = None.
the-table-lists-the-first-200 = The table lists the first 200; download the report for all.
rejected-cells = Rejected cells
sheet = Sheet
row = Row
column = Column
cell = Cell
reason = Reason
warnings-imported = Warnings (imported)
warnings = Warnings
note = Note

## templates/person.html
person-file = person file
electronic-certificate-card-and-qr-code = Electronic certificate (card and QR code)
the-two-subsidies-eligibility-explained-cases = The two subsidies: eligibility explained, cases, payments
needs = Needs
sections-of-this-file = Sections of this file
identity = Identity
certificate = Certificate
household = Household
annual-survey = Annual survey
timeline = Timeline
show-full-id-and-phone-numbers = Show full ID and phone numbers (recorded in the audit trail)
full-personal-data-is-shown-this = Full personal data is shown; this view is recorded in the audit trail.
partner-view-identity-certificate-and-area = Partner view: identity, certificate and area only (data minimisation).
name = Name
citizen-id = Citizen ID
sex = Sex
date-of-birth = Date of birth
phone = Phone
guardian = Guardian
former-15-digit-id = Former 15-digit ID
disability-certificate = Disability certificate
number = Number
category = Category
grade = Grade
issued-on = Issued on
valid-until = Valid until
status = Status
smart-card = Smart card
certificate-history = Certificate history
category-grade = Category / grade
issued = Issued
status-2 = Status
residence-and-household = Residence and household
township = Township
village-community = Village / community
hukou-type = Hukou type
household-number = Household number
household-size = Household size
certified-members-of-the-same-household = Certified members of the same household
annual-basic-service-and-needs-survey = Annual basic-service and needs survey
update-the-survey = Update the survey:{" "}
symbol-2 = {""}
no-survey-records-yet = No survey records yet.
survey-values-by-year = Survey values by year
item = Item
life-cycle-timeline = Life-cycle timeline

## templates/person_edit.html
someone-else-changed-this-file = Someone else changed this file
what-you-entered-is-kept-below = What you entered is kept below. Where the file now differs from what you entered:
check-then-press-save-changes-again = Check, then press “Save changes” again to keep what you entered.
category-grade-renewal-revocation-moving-out = Category, grade, renewal, revocation, moving out of the district and death are life events. Every change is recorded on the timeline with its old and new value.
save-changes = Save changes

## templates/person_form.html
register-a-newly-certified-person = Register a newly certified person
fields-marked-are-required-id-and = Fields marked * are required. ID and certificate numbers may be typed with full-width digits.
register = Register

## templates/persons.html
name-citizen-id-or-certificate-number = Name, citizen ID or certificate number
all-my-area = All (my area)
search = Search
results = Results
citizen-id-2 = Citizen ID
category-grade-2 = Category / grade

## templates/survey_form.html
yearly-survey-dynamic-update = Yearly survey (dynamic update)
someone-saved-this-file-while-you = Someone saved this file while you were filling in the form. What you entered is kept below; check the file, then press “Save the survey” again.
there-is-no-survey-row-for = There is no survey row for this year yet: the values below come from the latest earlier year; saving makes them this year's row.
subsidy-enrolments-set-by-subsidy-decisions = Subsidy enrolments (set by subsidy decisions, not edited here)
save-the-survey = Save the survey

## src/cli.rs
strict-mode-rejected-n-rows-rejected = strict mode: { $rejected_n } rows rejected, nothing imported.

## templates/import.html
import-runs = Import runs
every-import-is-recorded-when-it = Every import is recorded when it starts; “interrupted” means the importing process stopped before the end: the persons written are whole, and importing the same file again completes it.
rows-written = Rows written
rows-rejected = Rows rejected
by = By

## templates/export.html (the export's size)
the-export-holds = The export holds
persons-in-the-export = persons.
department-data = Department data
department-data-and-service-records = Department data and service records
what-each-department-last-said = What each department last said
source = Source
what-it-says = What it says
effective = Effective
received = Received
received-on-from-department = received { $on } (data exchange)
