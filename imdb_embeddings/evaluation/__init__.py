"""The figures of a model on the test reviews: accuracy and loss, calibration,
paired comparisons, and the spread over label draws. No stage that trains
imports this package."""
