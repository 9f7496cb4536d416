# Messages of this crate in English. Keys are shared with the other language's file.

## src/run.rs
refusal-no-department = This partner account has no department yet and may send nothing: a system administrator sets it under Data exchange › Partner departments.
refusal-not-your-kind = { $department } may send { $kinds } only, not { $kind_label } ({ $kind }).
refusal-not-allowed = Your account may not send { $kind_label } ({ $kind }).
unmatched-no-person = no certified person with this citizen ID in the registry
unmatched-not-in-your-area = no certified person with this citizen ID in your area
name-differs-from-registry = the name differs from the registry's (matched by citizen ID: please check)

## src/cli.rs
run-summary = { $kind }: { $received } rows received, { $matched } matched, { $changed } changed, { $unchanged } unchanged, { $unmatched } unmatched, { $rejected } cells rejected

## src/api.rs
error-unknown-kind = Unknown kind.
error-kind-forbidden = Your account may not send this kind of data.
error-file-refused = The file cannot be read; nothing was written.

## src/pages.rs
status-running = writing
status-done = done
status-failed = nothing written (the file was refused)
status-interrupted = interrupted (the rows written are whole; send the same file again)
counts-line = { $received } received, { $matched } matched, { $changed } changed, { $unchanged } unchanged, { $unmatched } unmatched, { $rejected } rows rejected
channel-push = API push
channel-upload = page upload
channel-file = file on the server
feeds-title = Data exchange
choose-a-kind = Choose the kind of data (“{ $value }” is not one).
choose-a-file = Choose the file to upload.
file-too-large = The file is larger than 64 MB.
run-title = Run
resolved-applied = corrected to { $to } and applied ({ $by })
resolved-not-ours = marked not ours ({ $by })
corrected-id-invalid = The corrected citizen ID “{ $value }” is invalid: { $why }
corrected-id-unknown = There is no person with citizen ID { $value } in your area.
already-resolved = This row was resolved already.
marked-not-ours = Marked not ours.
applied-to-person = Applied to the person's file.
applied-unchanged = The person's file holds the same already: nothing changed.
count-received = received
count-matched = matched
count-changed = changed
count-unchanged = unchanged
count-unmatched = unmatched
count-rejected = rejected (rows)
partners-title = Partner departments
no-such-account = There is no account named “{ $value }”.
not-a-partner = The account “{ $value }” is not a partner department's.
unknown-department = Unknown department “{ $value }”.
department-set = { $user }'s department is now: { $department }

## templates
there-is-a-problem = There is a problem
feeds-intro = Civil affairs, public security, medical insurance, human resources, health and education send their data here, and institutions their service records: matched by citizen ID, effective on their own dates, never overwriting history. The indicators, the subsidy audit and the payroll use them in their next computation.
your-department = Department:{" "}
upload-a-file = Upload a file
kind = Kind
file = File
file-hint = .xlsx, .xls or .csv, at most 64 MB; headers in Chinese or as the English keys.
upload-and-apply = Upload and apply
nothing-to-send = Your account may not send data.
runs = Runs
no-runs-yet = No runs yet.
started = Started
channel = Channel
sent-by = Sent by
status = Status
counts = Counts
back-to-runs = Back to the runs
finished = Finished
refresh-the-progress = Refresh the progress
download-the-report-json = Download the report (JSON)
unmatched-rows = Unmatched rows
none = None
unmatched-intro = These rows name no certified person and were written to no file. Correct the citizen ID and apply, or mark the row not ours.
row = Row
citizen-id = Citizen ID
name = Name
what-it-says = What it says
reason = Reason
resolution = Resolution
corrected-citizen-id = Corrected citizen ID
apply-to-this-person = Apply to this person
not-ours = Not ours
open = open
rejected-cells = Rejected cells
first-200-shown = The table lists the first 200; the JSON report has them all.
sheet = Sheet
column = Column
cell = Cell
warnings = Warnings
note = Note
partners-intro = A partner department's account may send only its department's data: civil affairs the assistance roll, public security residence changes, medical insurance and human resources insurance, human resources employment, health family doctors and follow-up, education enrolment.
partner-account = Partner account
department = Department
no-department = (none)
save = Save
partner-accounts = Accounts with a department
