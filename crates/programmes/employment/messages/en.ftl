review-title = Employment quota review ({ $year })
