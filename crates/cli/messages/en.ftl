# Messages of this crate in English. Keys are shared with the other language's file.

## src/main.rs
cannot-start-the-runtime-e = cannot start the runtime: { $e }
serving-open-http-bound-in-a = Serving: open http://{ $bound }/ in a browser (Ctrl-C stops)
account-username-created = account { $username } created
account-username-disabled-its-sessions-ended = account { $username } disabled: its sessions ended and its tokens were revoked
account-username-enabled = account { $username } enabled
internal-error-the-operation-did-not = internal error: the operation did not complete; what was committed is whole and the rest was not written (set ZHUCAN_LOG=debug for details).
loading-the-demo-district = Loading the demo district…

## src/ops.rs
demo-district-loaded-seen-persons = Demo district loaded: { $seen } persons.
account-username-role-and-area-unchanged = account { $username }: role and area unchanged
demo-persons = demo persons
demo-accounts-demo-only-never-for = Demo accounts (demo only, never for real data; administrators turn on two-step verification with an authenticator app at first sign-in):
