# Messages of this crate in English. Keys are shared with the other language's file.

## src/admin.rs
choose-a-role = choose a role
accounts = Accounts
use-letters-digits-and-at-most = use letters, digits and . _ - @, at most 64 characters
this-username-is-taken = this username is taken
the-area-is-not-in-the = the area is not in the dictionary
the-session-has-ended = The session has ended.
the-token-has-been-revoked = The token has been revoked.
role-and-area-are-unchanged-nothing = Role and area are unchanged; nothing was changed.

## src/audit_pages.rs
audit-trail = Audit trail

## src/cli.rs
audit-trail-intact-records-records-hash = audit trail intact: { $records } records, hash chain verified{ $from }.

## src/security.rs
default = default
security-policy = Security policy
nothing-changed-nothing-was-saved = Nothing changed; nothing was saved.

## src/sessions.rs
unknown = unknown
not-recorded = not recorded
issued-earlier = (issued earlier)
sessions-and-tokens = Sessions and tokens

## templates/_sessions.html
sessions = Sessions
there-are-no-active-sessions = There are no active sessions.
active-sessions-times-in-utc = Active sessions (times in UTC)
signed-in = Signed in
last-active = Last active
client-address = Client address
browser = Browser
action = Action
this-session = this session
end-this-session-sign-out = End this session (sign out)
end-session = End session
signed-in-2 = signed in
api-tokens = API tokens
there-are-no-usable-api-tokens = There are no usable API tokens.
usable-api-tokens-times-in-utc = Usable API tokens (times in UTC)
issued-by = Issued by
scope = Scope
issued = Issued
expires = Expires
revoke = Revoke
issued-2 = issued

## templates/account_sessions.html
these-are-your-account-s-active = These are your account's active sign-ins and API tokens. If you do not recognise one, end or revoke it now and change your password.

## templates/admin_account.html
back-to-all-accounts = Back to all accounts
account = Account
role = Role
area = Area
two-step-verification = Two-step verification
status = Status
change-role-and-area = Change role and area
you-cannot-change-your-own-role = You cannot change your own role or area (separation of duties): another system administrator must do it.
each-account-has-one-role-a = Each account has one role. A change ends all of the account's sessions and revokes its API tokens at once (it must sign in again), and goes into the audit trail.
save-role-and-area = Save role and area

## templates/admin_users.html
all-accounts = All accounts
username = Username
two-step = Two-step
new-account = New account
create-the-account = Create the account

## templates/audit.html
records-are-append-only-and-hash = Records are append-only and hash-chained; zhucan audit verify checks the chain.
all = All
object-e-g-citizen-id = Object (e.g. citizen ID)
from = From
until = Until
search = Search
records = Records
export-as-csv = Export as CSV
no = No.
time-utc = Time (UTC)
account-role-area = Account (role, area)
client = Client
object = Object
outcome = Outcome
detail = Detail

## templates/security_settings.html
these-settings-apply-to-the-whole = These settings apply to the whole system at once; every change keeps its version, author and time, and goes into the audit trail with the old and new values.
settings-in-force-times-in-utc = Settings in force (times in UTC)
setting = Setting
value = Value
default-2 = Default
version = Version
last-changed = Last changed
change-the-settings = Change the settings
save-the-settings = Save the settings
