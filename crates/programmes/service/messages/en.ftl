# Messages of this crate in English. Keys are shared with the other language's file.

## src/citizen.rs
i-am = I am
the-certified-person = the certified person
the-guardian-named-on-the-file = the guardian named on the file
certificate-holder-s-name = Certificate holder's name
holder-s-citizen-id = Holder's citizen ID
n-18-characters-the-last-may-be = 18 characters; the last may be X
certificate-number = Certificate number
n-20-characters-the-id-and-two = 20 characters: the ID and two digits
guardian-s-name-when-a-guardian = Guardian's name (when a guardian signs up)
username = Username
letters-digits-and-at-most-64 = letters, digits and . _ - @, at most 64 characters
password = Password
at-least-10-characters-from-two = at least 10 characters from two of: letters, digits, symbols
password-again = Password again
create-your-account = Create your account
is-not-a-choice = {" "}is not a choice
is-required = is required
is-required-for-a-guardian = is required for a guardian
is-not-a-valid-username = {" "}is not a valid username
the-passwords-do-not-match = the passwords do not match
the-details-do-not-match-the = The details do not match the federation's file. Check the name, ID and certificate number (a guardian's name must be the one on the file), or contact your township's federation office.
this-person-already-has-an-account = This person already has an account: sign in, or ask your township's federation office to reset the password.
is-taken-choose-another = {" "}is taken; choose another
in-progress = in progress
more-information-needed = more information needed
approved = approved
not-approved = not approved
withdrawn = withdrawn
unknown = unknown
you-receive-it = you receive it
applied-in-progress = applied: in progress
you-may-apply = you may apply
my-file = My file
your-account-is-ready-this-is = Your account is ready. This is your file: apply for services, follow them and show your electronic certificate here.
services = Services
choose = Choose
yes = yes
no = no
please-upload-this-document = please upload this document
applied = applied
a-step-was-completed = a step was completed
more-information-requested = more information requested
information-provided = information provided
approved-2 = approved
not-approved-2 = not approved
other = other
done = done
not-approved-at-this-step = not approved at this step
not-reached = not reached
not-started = not started
your-answer = Your answer
must-be-at-most-1000-characters = must be at most 1000 characters
what-it-is-about = What it is about
tell-us-what-you-need = Tell us what you need
at-most-500-characters = at most 500 characters
recorded-waiting = recorded, waiting
being-handled = being handled
closed = closed
my-needs = My needs
as-the-service = as the service:{" "}
referred = referred:{" "}
we-have-your-need-staff-will = We have your need; staff will deal with it soon.
messages = Messages
electronic-certificate = Electronic certificate

## src/desk.rs
waiting-for-the-applicant = waiting for the applicant
rejected-at-this-step = rejected at this step
not-done = not done
current-waiting-for-information = current (waiting for information)
current = current
service-desk = Service desk
approve = approve
complete-this-step = complete this step:{" "}
ask-the-applicant-for-more-information = ask the applicant for more information
reject = reject
this-is-the-last-step-the = this is the last step: the decision completes it
action = Action
note-or-reasons-sent-to-the = Note or reasons (sent to the applicant)
required-to-ask-for-information-or = required to ask for information or to reject; use words the applicant understands
easy-read-reasons-optional = Easy-read reasons (optional)
short-sentences-and-everyday-words = short sentences and everyday words
say-what-is-needed-or-why = say what is needed, or why it is rejected
needs = Needs
the-person-or-family = the person or family
village-worker = village worker
staff = staff
triage-to-a-service = triage to a service
refer-elsewhere = refer elsewhere
close = close
for-a-service = (for a service)
action-2 = Action
service = Service
where-it-was-referred-or-the = Where it was referred, or the outcome
need = Need
choose-a-service = choose a service
say-where-it-was-referred-or = say where it was referred or how it ended
must-be-at-most-500-characters = must be at most 500 characters
kind = Kind
the-need = The need
needs-2 = Needs

## templates/_me_nav.html
service-end = Service end

## templates/_person_switch.html
switch-person-guardian = Switch person (guardian)
you-can-see = You can see:{" "}

## templates/_uploads.html
pdf-jpg-or-png-at-most = PDF, JPG or PNG, at most 5 MB
error = Error:{" "}

## templates/desk_application.html
back-to-the-applications = Back to the applications
applicant = Applicant
status = Status
step = Step
applied-2 = Applied
due = Due
overdue = overdue
reasons = Reasons
steps = Steps
the-application = The application
documents = Documents
none = None.
history = History
act = Act
submit = Submit

## templates/desk_need.html
back-to-the-needs = Back to the needs
person = Person
need-2 = Need
handled = Handled
satisfaction = Satisfaction
act-2 = Act

## templates/desk_needs.html
applications = Applications
unmet-needs-by-township-and-kind = Unmet needs by township and kind
no-unmet-needs = No unmet needs.
township = Township
total = Total
by-status = By status
open = open
being-handled-2 = being handled
all = all
citizen-id = Citizen ID
area = Area
kind-2 = Kind
from = From
recorded = Recorded

## templates/desk_person_needs.html
back-to-the-person-file = Back to the person file
no-needs-recorded-yet = No needs recorded yet.
record-a-need-heard-on-a = Record a need (heard on a visit)
record = Record

## templates/desk_queue.html
service-2 = Service
all-2 = All
overdue-only = Overdue only
filter = Filter

## templates/me.html
you-have-new-messages = You have new messages
disability-certificate = Disability certificate
citizen-id-2 = Citizen ID
category = Category
grade = Grade
issued-on = Issued on
valid-until = Valid until
status-2 = Status
smart-card = Smart card
show-the-electronic-certificate-qr-code = Show the electronic certificate (QR code)
what-you-are-entitled-to = What you are entitled to
nothing-at-present = Nothing at present.
apply = Apply
the-two-subsidies = The two subsidies
recent-payments = Recent payments
month = Month
subsidy = Subsidy
amount-yuan = Amount (yuan)
my-applications = My applications
no-applications-yet = No applications yet.
applied-3 = applied
due-2 = due
all-services = All services

## templates/me_application.html
back-to-my-file = Back to my file
for = For
applied-on = Applied on
the-decision = The decision
more-information-needed-2 = More information needed
send-the-answer = Send the answer
progress = Progress
what-you-sent = What you sent
history-2 = History

## templates/me_certificate.html
let-staff-scan-the-code-it = Let staff scan the code: it shows that your certificate is valid.

## templates/me_messages.html
no-messages = No messages.
new = new
open-2 = Open

## templates/me_needs.html
tell-us-what-is-hard-for = Tell us what is hard for you. We will answer.
tell-us-a-need = Tell us a need
send = Send
needs-you-told-us = Needs you told us
none-yet = None yet.
your-answer-2 = Your answer:{" "}
are-you-satisfied-with-how-it = Are you satisfied with how it was handled?
satisfied = satisfied
fairly-satisfied = fairly satisfied
not-satisfied = not satisfied
send-2 = Send

## templates/me_service.html
back-to-the-services = Back to the services
who-may-apply = Who may apply
done-within = Done within
days = days
for-2 = For
apply-2 = Apply
for-safety-choose-the-files-to = For safety, choose the files to upload again.
submit-the-application = Submit the application
as-your-file-stands-you-cannot = As your file stands, you cannot apply. If things have changed, contact your township's federation office.

## templates/me_services.html
who-may-apply-2 = Who may apply:{" "}
done-within-2 = done within
days-2 = days
as-your-file-stands-you-cannot-2 = As your file stands, you cannot apply yet.

## templates/signup.html
the-certified-person-or-the-guardian = The certified person, or the guardian named on the file, can create an account with the name, citizen ID and certificate number. Then apply for services online, follow them, tell us your needs and show your electronic certificate.
easy-read-use-the-name-and = Use the name and numbers on the disability card.
we-could-not-create-the-account = We could not create the account
create-the-account = Create the account
already-have-an-account-sign-in = Already have an account? Sign in
steps-are-worked-on-the-project-page = This service's steps and acceptance are worked on its project page (where the survey, works and acceptance are recorded); here you may only ask for information or reject with reasons
open-the-project-page = Open the project page to work its steps

# Stated needs a programme takes (taken.rs)
stated-needs-waiting = Stated { $kind } needs waiting
needs-waiting-n-shown-m = { $n } waiting; the oldest { $m } are listed.
take-the-need = Act on it
person-name = Name
recorded-on = Recorded on
stated-by = Stated by
not-the-person-of-the-need = is not the person who stated the need
not-a-waiting-need = Need “{ $v }” does not exist, is closed or has been taken
not-eligible-to-apply = The person cannot apply for this service as their file stands (it is for: { $who })
already-applied = The person already has an open application for this service (submitted { $v })
survey-needs-unmet = People the yearly survey found needing { $kind } and not yet served (the indicator's gap)
find-a-job = Find a job
