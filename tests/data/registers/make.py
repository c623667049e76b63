"""How the registers of ``tests/test_register_real_files.py`` were made (they are committed as made:
run ``python tests/data/registers/make.py`` from the repository to make them again). Each imitates
what a real register looks like when an asset-management tool or a spreadsheet exports it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent


def french_workbook() -> None:
    """A title merged across the header, a blank row, Excel dates and dates typed as text, decimal
    commas as text, and the tool's totals row under the table."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Parc"
    sheet["A1"] = "Export du parc informatique — Mairie de Lyon — 12/11/2026"
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(
        [
            "N° d'inventaire",
            "Catégorie",
            "Marque",
            "Modèle",
            "Quantité",
            "Date d'achat",
            "Statut",
            "Poids (kg)",
        ]
    )
    for row in (
        (
            "LY-001",
            "Ordinateur portable",
            "Dell",
            "Latitude 5440",
            1,
            datetime(2021, 3, 4),
            "En service",
            "1,36",
        ),
        ("LY-002", "Ordinateur portable", "HP", "EliteBook 840 G8", 1, "03/04/2021", "En service", "1,32"),
        ("LY-003", "Écran", "Dell", "P2422H", 2, datetime(2019, 6, 15), "En stock", "4,3"),
        ("LY-004", "Unité centrale", "Lenovo", "ThinkCentre M70q", 1, "15/09/2020", "En stock", "1,25"),
        ("LY-005", "Smartphone", "Apple", "iPhone 12", 1, datetime(2021, 9, 1), "En service", 0.164),
    ):
        sheet.append(list(row))
    sheet.append(["Total : 1 234", None, None, None, 6, None, None, None])
    book.save(HERE / "fr-parc-informatique.xlsx")


def norwegian_csv() -> None:
    """Windows-1252, semicolons, CRLF, Norwegian headers and words."""
    lines = [
        "Eiendelsnummer;Produkttype;Produsent;Modell;Antall;Innkjøpsdato;Tilstand;Status;"
        "Avhendingsdato;Avhendingsmåte"
    ]
    lines += [f"OS-{n};Bærbar PC;Lenovo;ThinkPad T14;1;0{1 + n % 9}.02.2022;Ny;I bruk;;" for n in range(5)]
    lines += [f"OS-S{n};Skjerm;Dell;P2422H;2;15.06.2019;Ombruk;I bruk;;" for n in range(3)]
    lines += [
        f"OS-R{n};Bærbar PC;HP;EliteBook 840;1;01.03.2018;Ny;Kassert;01.05.2024;Gjenvunnet" for n in range(2)
    ]
    (HERE / "nb-utstyr.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def itam_csv() -> None:
    """An ITAM tool's export (Snipe-IT, ServiceNow): timestamps, its statuses, no retirement date."""
    lines = ["Asset Tag,Model,Manufacturer,Category,Purchase Date,Status,Serial Number,Location"]
    for n, (category, manufacturer, model, status) in enumerate(
        [
            ("Laptop", "Lenovo", "ThinkPad X1 Carbon Gen 9", "Deployed"),
            ("Desktop", "HP", "EliteDesk 800 G6", "In Stock"),
            ("Monitor", "Dell", "U2422H", "Deployed"),
            ("Mobile Phone", "Apple", "iPhone 13", "Deployed"),
            ("Laptop", "Dell", "Latitude 7420", "Retired"),
            ("Laptop", "Dell", "Latitude 7400", "Disposed"),
        ]
    ):
        lines.append(
            f"IT-{1000 + n},{model},{manufacturer},{category},2021-03-04T00:00:00Z,{status},SN{n:06d},London"
        )
    (HERE / "en-itam-export.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def dutch_workbook() -> None:
    """An explanation sheet first, the register on the second, a hidden column."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Toelichting"
    notes["A1"] = "Toelichting bij het apparatenregister"
    notes["A2"] = "Elke regel is één apparaat."
    sheet = book.create_sheet("Apparaten")
    sheet.append(
        ["Inventarisnummer", "Intern ID", "Categorie", "Merk", "Model", "Aantal", "Aankoopdatum", "Status"]
    )
    for n in range(6):
        laptop = n % 2 == 1
        sheet.append(
            [
                f"GR-{n}",
                f"x{n}",
                "Laptop" if laptop else "Beeldscherm",
                "Dell",
                "Latitude 5440" if laptop else "P2422H",
                1,
                datetime(2022, 1, 10 + n),
                "In gebruik",
            ]
        )
    sheet.column_dimensions["B"].hidden = True
    book.save(HERE / "nl-apparaten-twee-bladen.xlsx")


def german_csv() -> None:
    """Thousands grouped in "Anzahl", empty lines, and a trailing ";;;" on every line."""
    lines = ["Inventarnummer;Gerätetyp;Hersteller;Modell;Anzahl;Kaufdatum;;;"]
    lines += [f"MS-{n};Notebook;Dell;Latitude 5420;1.000;01.03.2022;;;" for n in range(2)]
    lines += ["", ";;;;;;;;"]
    lines += [f"MS-M{n};Bildschirm;Dell;P2422H;12;15.06.2020;;;" for n in range(3)]
    lines += [""]
    (HERE / "de-bestand-anzahl.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    french_workbook()
    norwegian_csv()
    itam_csv()
    dutch_workbook()
    german_csv()
