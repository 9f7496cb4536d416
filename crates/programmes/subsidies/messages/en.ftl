# Messages of this crate in English. Keys are shared with the other language's file.

## src/cases.rs
already-being-paid-nothing-to-enrol = already being paid: nothing to enrol
no-longer-eligible-on-review-nothing = no longer eligible on review: nothing to enrol
still-eligible-on-review-nothing-to = still eligible on review: nothing to stop
no-longer-paid-nothing-to-stop = no longer paid: nothing to stop
withdrawn-on-review = withdrawn on review

## src/cli.rs
citizen-id = Citizen ID
township = Township
subsidy = Subsidy
finding = Finding
reasons = Reasons
subsidy-audit = Subsidy audit
rule-version = Rule version:{" "}
parameter = parameter

## src/pages.rs
eligible-not-enrolled = eligible, not enrolled
symbol = ;{" "}
subsidy-audit-2 = Subsidy audit (应补尽补)
month = Month
case-open = case open
enrol = enrol
stop = stop
open = open
approved = approved
rejected = rejected
withdrawn = withdrawn
monthly-audit = monthly audit
after-a-change-to-the-file = after a change to the file (1+X)
opened-by-staff = opened by staff
subsidy-cases = Subsidy cases
subsidy-case = Subsidy case
decision = Decision
choose = Choose
approve = Approve
reject = Reject
note-required-to-reject = Note (required to reject)
is-required = is required
is-not-a-choice = {" "}is not a choice
give-the-reason-for-a-rejection = give the reason for a rejection
must-be-at-most-500-characters = must be at most 500 characters
draft-computed-live-from-today-s = Draft: computed live from today's data, not yet submitted.
subsidy-payroll = Subsidy payroll
recorded-for-reference-only-no-rule = recorded for reference only — no rule uses it yet
reference-only = {" "}(reference only)
parameter-2 = Parameter
parameters-marked-reference-only-are-read = parameters marked “reference only” are read by no rule yet: they can be entered and tried, but change no one's subsidy
applies-to = Applies to
value = Value
amounts-in-yuan-1150-ratios-as = amounts in yuan (1150); ratios as 30% or 0.3; multiples as 1.3; statuses as 低保、低边; tiers as 1:*:300, 2:*:240, 3:智力:180
effective-from = Effective from
e-g-2026-01-01-months = e.g. 2026-01-01; months before it are not affected
source-document = Source document
is-not-a-parameter = {" "}is not a parameter
is-not-an-area-you-may = {" "}is not an area you may set
must-be-at-most-200-characters = must be at most 200 characters
subsidy-policy-parameters = Subsidy policy parameters
symbol-2 = ;{" "}
the-new-parameter-version-is-saved = The new parameter version is saved.
what-if-the-policy-changed = What if the policy changed
allowance = Allowance
monthly-amount-yuan-for-same-need = Monthly amount (yuan; for same-need allowances)
from-month = From month
e-g-2025-03 = e.g. 2025-03
until-month-optional = Until month (optional)
source-department-document = Source (department, document)
bank = Bank
account-number = Account number
n-8-to-30-digits = 8 to 30 digits
account-holder = Account holder
the-two-subsidies = The two subsidies
eligible = eligible
not-eligible = not eligible
receiving = receiving
not-receiving = not receiving
yuan-a-month = yuan a month
saved = Saved.
a-same-need-allowance-needs-its = a same-need allowance needs its monthly amount (to take the higher)
is-before-the-first-month = {" "}is before the first month
must-be-at-most-60-characters = must be at most 60 characters
must-be-8-to-30-digits = {" "}must be 8 to 30 digits

## src/rules.rs
no-household-status = {" "}(no household status)

## src/workbooks.rs
payroll = Payroll
subsidy-payroll-2 = Subsidy payroll
total = total
yuan = yuan
no = No.
name = Name
township-code = Township code
kind = Kind
for-month = For month
amount-yuan = Amount (yuan)
arrears = arrears
recovery = recovery
regular = regular

## templates/_what_if.html
the-effect = The effect
living-subsidy = Living subsidy
nursing-subsidy = Nursing subsidy
eligible-2 = Eligible
gain-lose = Gain / lose
monthly-cost-yuan = Monthly cost (yuan)
total-2 = Total

## templates/subsidies_audit.html
judged-on-the-first-day-of = Judged on the first day of the month with that year's survey values: who is eligible but not receiving, and who is receiving but no longer eligible (deceased, moved out, certificate revoked or expired, no longer 低保/低边, now 特困 …). The system runs this every month and after every change to a file, and opens the cases itself.
e-g-2025-09 = e.g. 2025-09
error = Error:{" "}
check = Check
findings = Findings
citizen-id-2 = Citizen ID
action = Action
open-enrol = Open: enrol
open-stop = Open: stop

## templates/subsidies_case.html
back-to-the-cases = Back to the cases
person = Person
asks-to = Asks to
from = from
opened-by = Opened by
status = Status
note = Note
condition-by-condition-first-day-of = Condition by condition (first day of the month)
decide = Decide
approving-an-enrolment-records-the-payment = Approving an enrolment records the payment from the month shown; closed months before it are paid as arrears in the next payroll. Approving a stop ends payment from that month; overpayments are recovered in the next payroll.
submit-the-decision = Submit the decision

## templates/subsidies_cases.html
by-status = By status
cases = Cases
from-month-2 = From month

## templates/subsidies_nav.html
audit = Audit
cases-2 = Cases
payroll-2 = Payroll
policy = Policy
what-if = What if

## templates/subsidies_payroll.html
month-2 = Month
show = Show
submission = Submission:{" "}
totals = Totals
subsidy-kind = Subsidy · kind
payments = Payments
submit-this-month-for-approval-by = Submit this month (for approval by another administrator)
approve-and-close = Approve and close
download-the-payroll-xlsx = Download the payroll (xlsx)
download-the-bank-file-csv = Download the bank file (CSV)
payments-2 = Payments
no-payments-this-month = No payments this month.

## templates/subsidies_person.html
back-to-the-person-file = Back to the person file
open-a-case-enrol = Open a case: enrol
open-a-case-stop = Open a case: stop
rule-version-and-parameters = Rule version and parameters
cases-and-decisions = Cases and decisions
none = None.
payments-closed-months = Payments (closed months)
payroll-3 = Payroll
other-allowances-affect-the-subsidies = Other allowances (affect the subsidies)
payment-account = Payment account
none-on-file-the-bank-file = None on file (the bank file leaves this person's account empty).
record-an-allowance = Record an allowance
record = Record
set-the-payment-account = Set the payment account
save = Save

## templates/subsidies_policy.html
every-amount-ratio-and-condition-is = Every amount, ratio and condition is data with an effective date and a source document: a month is computed with the values in force on its first day, past months always with the values then. A new version changes only the months from its date.
every-version = Every version
marked-recorded-for-reference-only-no = Marked “recorded for reference only — no rule uses it yet”:{" "}
they-are-entered-with-their-source = . They are entered with their source documents and versions, but no rule reads them yet: changing them changes no one's eligibility, amount or payroll.
version = Version
area = Area
from-2 = From
source = Source
entered-by = Entered by
add-a-version = Add a version
preview-the-effect = Preview the effect

## templates/subsidies_what_if.html
enter-a-new-value-for-one = Enter a new value for one parameter (a new 低保 standard, or nursing extended to grade 3 physical: 1:*:300, 2:*:240, 3:肢体:180, 3:智力:180, 3:精神:180, 4:智力:180, 4:精神:180) and see, per township, who gains or loses eligibility and the monthly cost — no live data changes.
compute = Compute
status-from-civil-affairs-roll = {" "}({ $status }, per the civil-affairs roll effective { $on })
basis-source-on = { $source } (effective { $on })
basis = based on:{" "}
withheld-this-month = Withheld this month (enrolled but not eligible)
withheld-intro = These persons are enrolled but not eligible this month and are left out of the payroll; the department data behind each reason is named. Stop them through the subsidy audit.
