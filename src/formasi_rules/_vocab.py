"""The fixed vocabularies of the input contract (values a candidate record may carry).

These are the names the contract promises; their *order* and *equivalences*
(for example that D4 ranks with S1) are policy and live in the policy's ``scales``.
"""

EMPLOYMENT_STATUS = ("PNS", "CPNS", "PPPK", "non_ASN")
EDUCATION = ("SD", "SMP", "SMA", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
RANK = ("III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b", "IV/c", "IV/d", "IV/e")
POSITION_TYPE = ("jf", "ja", "jpt", "none")
RATING = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")
TEST_STATUS = ("passed", "failed", "not_taken")
ROUTES = ("pengangkatan_pertama", "perpindahan", "penyesuaian", "kenaikan_jenjang", "kenaikan_pangkat")
LEVELS = ("ahli_pertama", "ahli_muda", "ahli_madya", "ahli_utama")
PERIODS = ("year", "month", "week", "day")  # how a workload volume is counted
ROUNDING = ("half_up", "ceil", "floor")  # how a fractional need becomes whole officers

# Scales a policy must order completely (scale name -> the values it must rank).
SCALED = {"education": EDUCATION, "rank": RANK, "rating": RATING}
