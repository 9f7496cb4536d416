# Messages of this crate in 简体中文. Keys are shared with the other language's file.

## src/area.rs
district = 区县
subdistrict = 街道
town = 镇
township = 乡
community = 社区
village = 村

## src/ids.rs
male = 男
female = 女
