"""Every label of the report, in Bahasa Indonesia and English."""

LABELS = {
    "title": ("Perhitungan Kebutuhan Formasi", "Formation needs"),
    "subtitle": ("berdasarkan analisis beban kerja (ABK)", "from workload analysis"),
    "as_of": ("Per tanggal", "As of"),
    "policy": ("Kebijakan", "Policy"),
    "engine": ("Mesin aturan", "Rules engine"),
    "key_figures": ("Ringkasan provinsi", "Totals for all regions"),
    "need": ("Kebutuhan", "Need"),
    "need_short": ("Keb.", "Need"),
    "existing": ("Pejabat ada", "In post"),
    "existing_short": ("Ada", "In post"),
    "gap": ("Selisih", "Gap"),
    "shortfall": ("Kekurangan", "Shortfall"),
    "surplus": ("Kelebihan", "Surplus"),
    "regions": ("Wilayah", "Regions"),
    "region": ("Wilayah", "Region"),
    "without": ("Wilayah tanpa pejabat", "Regions with no officer"),
    "without_text": ("Belum ada satu pun pejabat di wilayah berikut; kebutuhannya:",
                     "These regions have no officer in post at any level; their need:"),
    "no_officer": ("tanpa pejabat", "no officer"),
    "summary": ("Ringkasan per wilayah", "Summary per region"),
    "summary_note": ("Urut menurut kekurangan, terbesar di atas. Keb. = kebutuhan; selisih = kebutuhan − pejabat ada: "
                     "positif berarti kekurangan, negatif kelebihan.",
                     "Sorted by shortfall, largest first. Gap = need − in post: positive a shortfall, "
                     "negative a surplus."),
    "total": ("Jumlah", "Total"),
    "province": ("Jumlah seluruh wilayah", "All regions"),
    "chart": ("Kebutuhan dan pejabat ada per jenjang", "Need and officers in post per level"),
    "chart_note": ("Batang terang: kebutuhan; batang gelap: pejabat ada; merah: kekurangan. "
                   "Angka: kebutuhan/ada. Skala tiap jenjang sendiri.",
                   "Light bar: need; dark bar: in post; red: shortfall. Figures: need/in post. "
                   "Each level has its own scale."),
    "detail": ("Rincian per wilayah dan jenjang", "Per region and level"),
    "level": ("Jenjang", "Level"),
    "workload": ("Beban kerja (menit/tahun)", "Workload (minutes/year)"),
    "need_exact": ("Kebutuhan sebelum pembulatan", "Need before rounding"),
    "ej": ("EJ", "Efficiency"),
    "band": ("Predikat", "Band"),
    "adjustments": ("Penyesuaian oleh aturan formasi", "Adjusted by formation rules"),
    "parameters": ("Parameter dan dasar hukum", "Parameters and their sources"),
    "parameter": ("Parameter", "Parameter"),
    "value": ("Nilai", "Value"),
    "citation": ("Dasar", "Source"),
    "confidence": ("keyakinan", "confidence"),
    "wke": ("Waktu kerja efektif per tahun", "Effective working time per year"),
    "minutes": ("menit", "minutes"),
    "rounding": ("Pembulatan", "Rounding"),
    "bands": ("Predikat efektivitas jabatan (EJ)", "Efficiency bands"),
    "periods": ("Faktor periode volume", "Volume period factors"),
    "catalogue": ("Katalog kegiatan dan norma waktu (menit per satuan)", "Activities and norm minutes per unit"),
    "activity": ("Kegiatan", "Activity"),
    "unit": ("Satuan", "Unit"),
    "formula": ("Kebutuhan = Σ(volume per tahun × norma waktu) ÷ waktu kerja efektif per tahun, per wilayah "
                "dan jenjang; EJ = beban kerja ÷ (pejabat ada × waktu kerja efektif).",
                "Need = Σ(volume per year × norm minutes) ÷ effective minutes per year, per region and level; "
                "efficiency = workload ÷ (officers in post × effective minutes)."),
    "problems": ("Baris yang tidak dihitung", "Rows not computed"),
    "problems_none": ("Semua baris masukan dihitung.", "Every input row was computed."),
    "place": ("Tempat", "Place"),
    "reason": ("Alasan", "Reason"),
    "warnings": ("Peringatan nama wilayah", "Region-name warnings"),
    "made_by": ("Dibuat dengan formasi_rules", "Made with formasi_rules"),
    "note": ("Catatan", "Note"),
    "page": ("Halaman", "Page"),
    "of": ("dari", "of"),
}


def labels(lang: str) -> dict[str, tuple[str, str]]:
    """label -> (primary, secondary): Indonesian first for ``id``, English first for ``en``."""
    return {k: (v if lang == "id" else (v[1], v[0])) for k, v in LABELS.items()}
