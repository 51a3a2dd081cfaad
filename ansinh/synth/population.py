"""Demographic shapes for the synthetic registry: household sizes, the ages of household
heads, ethnic composition by province, and rates of disability, death and poverty.

Figures are rounded from the 2019 census and later statistics office releases; they only need
to make a believable registry (mean household size ≈ 3.5, Vietnam's age pyramid, minorities
where they live), not to be an estimate of anything.
"""

# Household size 1–8 (census 2019: mean 3.5).
HOUSEHOLD_SIZES = [1, 2, 3, 4, 5, 6, 7, 8]
HOUSEHOLD_SIZE_WEIGHTS = [10.5, 18, 22, 25, 13, 7, 2.8, 1.7]

# Age of the household head, by 5-year band from 20 (20–24, 25–29, … 95–99).
HEAD_AGE_BANDS = [2, 6, 10, 12, 12, 12, 11, 10, 9, 7, 5, 3, 2, 1, 0.4, 0.1]
# Single-person households are more often old people living alone.
SINGLE_AGE_BANDS = [6, 7, 6, 5, 4, 4, 4, 5, 7, 9, 10, 10, 9, 7, 4, 1]

# Ethnic composition by current (2025) province code: (ethnicity code, share %).
# Provinces not listed are treated as almost entirely Kinh.
ETHNICITY_BY_PROVINCE: dict[str, list[tuple[str, float]]] = {
    "04": [("02", 41), ("07", 31), ("08", 10), ("09", 10), ("01", 6), ("15", 2)],
    "08": [("01", 34), ("02", 22), ("08", 20), ("09", 12), ("07", 4), ("15", 4), ("25", 2),
           ("40", 1), ("43", 1)],
    "11": [("03", 38), ("08", 35), ("01", 19), ("29", 3), ("09", 2), ("35", 1), ("37", 2)],
    "12": [("08", 25), ("03", 32), ("09", 13), ("01", 14), ("35", 4), ("25", 4), ("41", 2),
           ("42", 2), ("48", 2), ("29", 2)],
    "14": [("03", 54), ("01", 17), ("08", 16), ("06", 8), ("09", 2), ("29", 1), ("34", 1),
           ("33", 1)],
    "15": [("01", 40), ("08", 18), ("02", 15), ("09", 12), ("03", 5), ("25", 2), ("07", 2),
           ("35", 2), ("06", 2), ("40", 2)],
    "19": [("01", 65), ("02", 18), ("07", 7), ("09", 4), ("15", 2), ("18", 2), ("08", 2)],
    "20": [("07", 42), ("02", 35), ("01", 16), ("09", 4), ("15", 1), ("04", 1), ("08", 1)],
    "22": [("01", 88), ("09", 4.5), ("02", 3.5), ("18", 1.7), ("15", 1.3), ("04", 0.5),
           ("07", 0.5)],
    "24": [("01", 87), ("02", 4), ("07", 5), ("15", 2), ("18", 1), ("04", 1)],
    "25": [("01", 78), ("06", 18), ("03", 1.5), ("09", 1.5), ("02", 1)],
    "38": [("01", 84), ("06", 9), ("03", 6), ("08", 0.5), ("29", 0.5)],
    "40": [("01", 86), ("03", 10), ("29", 1.5), ("08", 1.2), ("24", 1.3)],
    "44": [("01", 95), ("23", 4.5), ("44", 0.5)],
    "46": [("01", 97), ("31", 1.7), ("26", 1), ("23", 0.3)],
    "48": [("01", 93), ("26", 3), ("14", 2), ("27", 1), ("30", 1)],
    "51": [("01", 75), ("19", 10), ("14", 8), ("13", 3), ("30", 2), ("27", 2)],
    "52": [("01", 70), ("10", 19), ("13", 9), ("07", 1), ("02", 1)],
    "56": [("01", 88), ("17", 6), ("21", 5), ("04", 1)],
    "66": [("01", 70), ("12", 15), ("07", 4), ("02", 4), ("08", 2), ("20", 2), ("09", 1),
           ("10", 2)],
    "68": [("01", 80), ("16", 7), ("20", 3), ("28", 2), ("17", 2), ("07", 3), ("02", 2),
           ("36", 1)],
    "75": [("01", 90), ("04", 3), ("22", 3), ("07", 2), ("02", 1), ("32", 1)],
    "79": [("01", 93), ("04", 5), ("05", 1), ("17", 0.5), ("07", 0.5)],
    "80": [("01", 98), ("05", 1.5), ("04", 0.5)],
    "82": [("01", 99), ("04", 0.5), ("05", 0.5)],
    "86": [("01", 90), ("05", 9), ("04", 1)],
    "91": [("01", 91), ("05", 7), ("04", 1), ("17", 1)],
    "92": [("01", 87), ("05", 11), ("04", 2)],
    "96": [("01", 95), ("05", 4), ("04", 1)],
}
DEFAULT_ETHNICITY = [("01", 98.5), ("04", 0.5), ("02", 0.5), ("06", 0.5)]

# Provinces from Huế southward write Huỳnh and Võ where the north writes Hoàng and Vũ.
SOUTHERN_NAMES_FROM = 46

# Shares of persons (%), by age band.
DISABILITY_BY_AGE = [(18, 2.0), (60, 5.0), (80, 16.0), (200, 32.0)]
DISABILITY_LEVELS = [("mild", 52), ("severe", 36), ("extremely_severe", 12)]
DISABILITY_TYPES = [("mobility", 34), ("hearing_speech", 12), ("visual", 12), ("mental", 14),
                    ("intellectual", 16), ("other", 12)]
DECEASED_BY_AGE = [(60, 1.0), (70, 10.0), (80, 25.0), (200, 45.0)]
MISSING_ID_SHARE = 3.0
# Households (%). Minority households are poor about three times as often as Kinh ones.
POOR_SHARE = 4.0
NEAR_POOR_SHARE = 5.0
MINORITY_POVERTY_FACTOR = 3.0

# Mobile prefixes in use since the 2018 renumbering.
PHONE_PREFIXES = ["032", "033", "034", "035", "036", "037", "038", "039", "056", "058",
                  "070", "076", "077", "078", "079", "081", "082", "083", "084", "085",
                  "086", "088", "089", "090", "091", "093", "094", "096", "097", "098"]
PHONE_SHARE_ADULTS = 70.0
