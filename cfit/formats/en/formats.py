"""English dates as the pact's European readers write them: day first, month in words.

Django's English formats are American ("12/06/2026" for 6 December, "July 3, 2021"); a buyer in
Dublin or The Hague reads the first as 12 June. Month names make every date unambiguous.
"""

DATE_FORMAT = "j F Y"  # 6 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 6 Dec 2026
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
# What the forms accept: ISO first (what the date pickers send), then day-first forms.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
