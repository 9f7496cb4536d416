# Messages of this crate in English. Keys are shared with the other language's file.

## src/areas.rs
a-township-code-has-9-digits = a township code has 9 digits (or write its name)
not-a-township-level-area-code = not a township-level area code (9 digits)

## src/lib.rs
unknown-column-ignored = unknown column, ignored
repeated-column-ignored-the-first-one = repeated column, ignored (the first one counts)
unrecognised-sheet-ignored-only-and-are = unrecognised sheet, ignored (only 人员, 机构 and 区划 are read)
