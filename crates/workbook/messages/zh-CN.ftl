# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/areas.rs
a-township-code-has-9-digits = 乡镇街道代码应为 9 位数字（或填写名称）
not-a-township-level-area-code = 不是乡镇街道级区划代码（应为 9 位）

## src/lib.rs
unknown-column-ignored = 未识别的列，已忽略
repeated-column-ignored-the-first-one = 重复的列，已忽略（以左边第一列为准）
unrecognised-sheet-ignored-only-and-are = 未识别的工作表，已忽略（只读取“人员”“机构”“区划”）
