# Messages of this crate in English. Keys are shared with the other language's file.

## src/area.rs
district = district
subdistrict = subdistrict
town = town
township = township
community = community
village = village

## src/ids.rs
male = male
female = female
