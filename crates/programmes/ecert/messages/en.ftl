# Messages of this crate in English. Keys are shared with the other language's file.

## src/pages.rs
disability-certificate-check = Disability certificate check
try-again-later = Try again later
valid = Valid
cannot-check-now = Cannot check now
not-valid = Not valid

## src/token.rs
the-certificate-is-revoked-the-code = The certificate is revoked: the code will show “not valid”.
the-holder-is-recorded-as-deceased = The holder is recorded as deceased: the code will show “not valid”.
the-holder-has-moved-out-of = The holder has moved out of the district: the code will show “not valid”.
the-certificate-is-past-its-validity = The certificate is past its validity date: the code will show “not valid”; it needs renewal.
certificate-verification-qr-code-it-holds = Certificate verification QR code; it holds the verification address below

## templates/certificate.html
electronic-certificate = electronic certificate
back-to-the-person-file = Back to the person file

## templates/certificate_card.html
electronic-disability-certificate = Electronic disability certificate
name = Name
citizen-id = Citizen ID
certificate-number = Certificate number
category = Category
grade = Grade
issued-on = Issued on
valid-until = Valid until
status = Status
verification-code = Verification code
show-this-code-to-be-scanned = Show this code to be scanned. Whoever scans it sees only the name (partly hidden), the category, the grade, the validity date and a “valid / not valid” verdict.
the-code-is-valid-until = The code is valid until{" "}
symbol = {" "}(
after-that = ). After that,{" "}
make-a-new-code = make a new code
symbol-2 = .
verification-address-to-type-in-when = Verification address (to type in when the code cannot be scanned):{" "}

## templates/verify.html
result = Result:{" "}
checked-at = Checked at
this-page-shows-only-what-a = This page shows only what a check needs (the name partly hidden): no photo, no ID number, no address. To confirm the holder's identity, look at their identity card. A code lasts only a few minutes, so a screenshot cannot be reused for long.

# The certificate card: the heading of the certificate's details, after the code.
certificate-details = Certificate details
