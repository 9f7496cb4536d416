# Messages of this crate in English. Keys are shared with the other language's file.

## src/account.rs
two-step-verification = Two-step verification
the-code-is-wrong-enter-the = The code is wrong: enter the 6 digits your authenticator shows now.

## src/forms.rs
is-required = is required
is-not-one-of-the-choices = {" "}is not one of the choices
no = No
yes = Yes
choose = Choose

## src/pages.rs
not-found = Not found
not-allowed = Not allowed
conflict = Conflict
something-went-wrong = Something went wrong
sign-in = Sign in
this-account-uses-two-step-verification = This account uses two-step verification: also enter the 6-digit code from your authenticator app (or a recovery code).
the-verification-code-is-wrong-or = The verification code is wrong or already used; enter the current code from your authenticator.
the-username-or-password-is-wrong = The username or password is wrong.
overview = Overview

## templates/_errors.html
there-is-a-problem = There is a problem

## templates/_fields.html
error = Error:{" "}

## templates/_pager.html
pages = Pages
previous-page = Previous page
next-page = Next page

## templates/base.html
digital-disabled-persons-federation = Digital Disabled Persons' Federation
skip-to-main-content = Skip to main content
zhucan-digital-dpf = zhucan · Digital DPF
account-and-language = Account and language
normal-text = Normal text
large-text = Large text
normal-colours = Normal colours
high-contrast = High contrast
full-wording = Full wording
easy-read = Easy read
sessions-and-tokens = Sessions and tokens
sign-out = Sign out
main = Main
home = Home
public-indicators = Public indicators
huangyan-district-disabled-persons-federation-th = Huangyan District Disabled Persons' Federation · This system holds sensitive personal information: authorised staff only, for their duties; every access is recorded.

## templates/error.html
back-to-the-home-page = Back to the home page

## templates/home.html
your-area = Your area:{" "}
person-files-in-your-area-including = person files in your area (including revoked, deceased, moved out)
common-tasks = Common tasks

## templates/login.html
could-not-sign-in = Could not sign in
username = Username
password = Password
verification-code = Verification code
if-your-account-uses-two-step = If your account uses two-step verification: the 6-digit code from your authenticator, or a recovery code. Otherwise leave empty.
disabled-people-and-guardians-create-an = Disabled people and guardians: create an account

## templates/two_factor.html
two-step-verification-is-on = Two-step verification is on.
recovery-codes = Recovery codes
each-recovery-code-works-once-in = Each recovery code works once, in place of a code if you lose your phone. Write them down or print them now and keep them safe: they are not shown again.
continue = Continue
two-step-verification-is-on-signing = Two-step verification is on: signing in needs the code from your authenticator.
unused-recovery-codes = Unused recovery codes:{" "}
administrator-accounts-must-turn-on-two = Administrator accounts must turn on two-step verification before using the system.
install-an-authenticator-app-on-your = Install an authenticator app on your phone (any app supporting TOTP).
scan-the-qr-code-below-with = Scan the QR code below with the app, or type the key by hand.
enter-the-6-digit-code-the = Enter the 6-digit code the app shows to confirm.
two-step-verification-qr-code-same = Two-step verification QR code (same content as the key below)
key = Key:{" "}
n-6-digit-code = 6-digit code
turn-on-two-step-verification = Turn on two-step verification

## src/error.rs: the kernel's error codes (docs/error-codes.md)
error-unauthorized = sign-in required: send a valid bearer token
error-forbidden = your role may not do this
error-token-read-only = this token is read-only (scope=read): it may make GET requests only
error-not-found = not found
error-invalid-parameter = a parameter is invalid
error-invalid-json = the body is not valid JSON
error-invalid-credentials = wrong username or password
error-second-factor-required = this account uses two-step verification: send the current code in the totp field
error-second-factor-wrong = the verification code is wrong or already used
error-second-factor-not-enrolled = administrator accounts must enrol two-step verification on the web before using the API
error-account-locked = the account is locked after repeated wrong passwords; try again later
error-version-conflict = the file was changed by someone else; reload and try again
error-exists = already exists
error-rate-limited = too many requests; try again later
error-internal = internal error; it has been logged, please try again later

## src/purpose.rs
export-purpose-too-long = Purpose “{ $start }…” is too long: at most { $max } characters
export-purpose-needed = Purpose “{ $purpose }” is not enough: exporting { $rows } rows (more than { $threshold }) needs a stated purpose (at least { $min } characters); it is recorded in the audit trail
purpose-of-the-export = Purpose of the export
the-list-has-more-than = The list has more than
rows-state-the-purpose-it-is = rows: state the purpose; it is recorded in the audit trail.
optional-a-stated-purpose-is-recorded = Optional; a stated purpose is recorded in the audit trail.
purpose-required = required

# The title of a page showing a failed submission.
error-title = Error: { $title }
not-a-date = “{ $v }” is not a date like 2026-01-31
date-in-the-future = the date { $v } is after today
no-person-in-your-area = no certified person with the citizen ID { $v } in your area
person-gone-on = the person had died or moved away on or before { $v }

nothing-recorded-yet = Nothing recorded yet
needs-attention = Needs attention
