review-title = 按比例安排残疾人就业年审（{ $year } 年度）
