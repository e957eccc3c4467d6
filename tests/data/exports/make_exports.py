"""Write the survey-tool export files in this folder (run from the repository root; the output is deterministic).

    python tests/data/exports/make_exports.py

One made-up customer-service survey of 200 respondents, written the way each
tool lays out its export (README.md beside this file gives the layouts, their
sources and the answers planted in the data). The answers are planted exactly,
so tests know the truth: 143 of 200 say their issue was resolved (0.715) and
67 of 200 ticked "Chat" (0.335).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
N = 200
CHANNELS = ["Phone", "Email", "Chat", "Social media", "Other (please specify)"]
TICKS = {"Phone": 92, "Email": 71, "Chat": 67, "Social media": 23, "Other (please specify)": 9}
RESOLVED = 143  # answer 1 ("Yes") of Q3
CSAT_LABELS = {1: "Very dissatisfied", 2: "Dissatisfied", 3: "Neutral", 4: "Satisfied", 5: "Very satisfied"}
RATING_LABELS = {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"}
COMMENTS = ["Faster replies, please", 'The "chat" bot, again', "Nothing, thanks", "Call me back,\nnot email",
            "N/A", "Keep it up", "Shorter hold times"]
UNFINISHED = 10  # respondents who left after Q3 (Progress below 100, Finished 0)
QUESTIONS = {
    "Q1": "How likely are you to recommend Acme to a friend or colleague?",
    "Q2": "Overall, how satisfied are you with Acme?",
    "Q3": "Was your issue resolved?",
    "Q4": "How would you rate our service on each of these?",
    "Q5": "Which channels did you use to contact us? Select all that apply.",
    "Q6": "What could we do better?",
}
ROWS4 = ["Speed", "Friendliness"]


def respondents() -> list[dict]:
    """The planted answers: one dict per respondent, answers as codes (blank = None)."""
    rng = np.random.default_rng(19)
    order = rng.permutation(N)
    unfinished = set(order[:UNFINISHED].tolist())
    resolved = np.zeros(N, dtype=int)
    resolved[rng.permutation(N)[:RESOLVED]] = 1
    ticked = {}
    answering = np.array(sorted(set(range(N)) - unfinished))  # the unfinished left before Q5
    for channel, count in TICKS.items():
        ticked[channel] = set(rng.choice(answering, size=count, replace=False).tolist())
    start = datetime(2024, 3, 1, 8, 0, 0)
    people = []
    for i in range(N):
        begin = start + timedelta(minutes=int(37 * i + rng.integers(0, 30)))
        seconds = int(rng.integers(95, 900))
        done = i not in unfinished
        csat = None if i % 41 == 7 else int(rng.choice([1, 2, 3, 4, 5], p=[0.08, 0.12, 0.2, 0.35, 0.25]))
        person = {
            "start": begin, "end": begin + timedelta(seconds=seconds), "seconds": seconds,
            "progress": 100 if done else 43, "finished": int(done), "id": f"R_{i:03d}x{rng.integers(1e9):09d}",
            "reference": f"{rng.integers(0, 99999):05d}",  # a customer number with leading zeros
            "lat": round(float(rng.uniform(39.5, 40.1)), 4), "lon": round(float(rng.uniform(-105.2, -104.7)), 4),
            "Q1": int(rng.choice(11, p=[.02, .01, .02, .03, .04, .06, .07, .15, .2, .2, .2])),
            "Q2": csat, "Q3": 1 if resolved[i] else 2,
            "Q4": [int(rng.integers(1, 6)) if done else None for _ in ROWS4],
            "Q5": [i in ticked[channel] for channel in CHANNELS],
            "other": None, "Q6": None,
        }
        if done and person["Q5"][-1]:
            person["other"] = ["Twitter DM", "In store", "Letter"][i % 3]
        if done and i % 4 == 0:
            person["Q6"] = COMMENTS[i % len(COMMENTS)]
        people.append(person)
    return people


def _text(value) -> str:
    return "" if value is None else str(value)


# Qualtrics ------------------------------------------------------------------------------------------------------

QUALTRICS_META = [  # (column id, question text row, ImportId object)
    ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": "America/Denver"}),
    ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": "America/Denver"}),
    ("Status", "Response Type", {"ImportId": "status"}),
    ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
    ("Progress", "Progress", {"ImportId": "progress"}),
    ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
    ("Finished", "Finished", {"ImportId": "finished"}),
    ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": "America/Denver"}),
    ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
    ("RecipientLastName", "Recipient Last Name", {"ImportId": "recipientLastName"}),
    ("RecipientFirstName", "Recipient First Name", {"ImportId": "recipientFirstName"}),
    ("RecipientEmail", "Recipient Email", {"ImportId": "recipientEmail"}),
    ("ExternalReference", "External Data Reference", {"ImportId": "externalDataReference"}),
    ("LocationLatitude", "Location Latitude", {"ImportId": "locationLatitude"}),
    ("LocationLongitude", "Location Longitude", {"ImportId": "locationLongitude"}),
    ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
    ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
]


def qualtrics_columns() -> list[tuple[str, str, dict]]:
    """Every column of the export: id (row 1), question text (row 2), ImportId object (row 3)."""
    cols = list(QUALTRICS_META)
    cols += [("Q1", QUESTIONS["Q1"], {"ImportId": "QID1"}), ("Q2", QUESTIONS["Q2"], {"ImportId": "QID2"}),
             ("Q3", QUESTIONS["Q3"], {"ImportId": "QID3"})]
    cols += [(f"Q4_{k}", f"{QUESTIONS['Q4']} - {row}", {"ImportId": f"QID4_{k}"}) for k, row in enumerate(ROWS4, 1)]
    cols += [(f"Q5_{k}", f"{QUESTIONS['Q5']} - Selected Choice - {channel}", {"ImportId": "QID5", "choiceId": str(k)})
             for k, channel in enumerate(CHANNELS, 1)]
    cols += [("Q5_5_TEXT", f"{QUESTIONS['Q5']} - Other (please specify) - Text", {"ImportId": "QID5_5_TEXT"}),
             ("Q6", QUESTIONS["Q6"], {"ImportId": "QID6_TEXT"})]
    return cols


def qualtrics_row(p: dict, choice_text: bool) -> list[str]:
    stamp = "%Y-%m-%d %H:%M:%S"
    done = p["finished"] == 1
    q4 = [RATING_LABELS[v] if choice_text and v else v for v in p["Q4"]]
    q5 = [(channel if choice_text else 1) if hit else None for channel, hit in zip(CHANNELS, p["Q5"], strict=True)]
    values = [
        p["start"].strftime(stamp), p["end"].strftime(stamp), "IP Address" if choice_text else 0,
        f"203.0.113.{p['seconds'] % 250}", p["progress"], p["seconds"],
        ("True" if done else "False") if choice_text else p["finished"],
        p["end"].strftime(stamp), p["id"], None, None, None, p["reference"], p["lat"], p["lon"], "anonymous", "EN",
        p["Q1"], CSAT_LABELS.get(p["Q2"]) if choice_text else p["Q2"],
        ("Yes" if p["Q3"] == 1 else "No") if choice_text else p["Q3"], *q4, *q5, p["other"], p["Q6"],
    ]
    return [_text(v) for v in values]


def write_qualtrics(people, path: Path, *, choice_text=False, encoding="utf-8-sig", delimiter=","):
    cols = qualtrics_columns()
    header = [[c[0] for c in cols], [c[1] for c in cols], [json.dumps(c[2], separators=(",", ":")) for c in cols]]
    rows = header + [qualtrics_row(p, choice_text) for p in people]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


LEGACY_META = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
               "StartDate", "EndDate", "Finished"]


def write_qualtrics_legacy(people, path: Path):
    """The export of Qualtrics' older format: V1.. for its metadata, question text in row 2, no ImportId row."""
    questions = [c for c in qualtrics_columns() if c[0].startswith("Q")]
    names = [f"V{k}" for k in range(1, len(LEGACY_META) + 1)] + [c[0] for c in questions] + \
        ["LocationLatitude", "LocationLongitude", "LocationAccuracy", ""]
    texts = LEGACY_META + [c[1].replace(" - Selected Choice - ", "-").replace(" - ", "-") for c in questions] + \
        ["LocationLatitude", "LocationLongitude", "LocationAccuracy", ""]
    rows = [names, texts]
    for p in people:
        full = qualtrics_row(p, choice_text=False)
        meta = [p["id"], "Default Response Set", "Anonymous", p["reference"], "", full[3], "0", full[0], full[1],
                str(p["finished"])]
        rows.append(meta + full[17:] + [full[13], full[14], "-1", ""])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


# SurveyMonkey ---------------------------------------------------------------------------------------------------

MONKEY_META = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
               "Last Name", "Custom Data 1"]


def monkey_rows(people, dates_as_text=True) -> list[list]:
    """Two header rows (question text above each question's first column; "Response" or the option below)."""
    top = list(MONKEY_META) + [QUESTIONS["Q1"], QUESTIONS["Q2"], QUESTIONS["Q3"], QUESTIONS["Q4"], ""] + \
        [QUESTIONS["Q5"]] + [""] * (len(CHANNELS) - 1) + [QUESTIONS["Q6"]]
    below = [""] * len(MONKEY_META) + ["Response", "Response", "Response", *ROWS4, *CHANNELS, "Open-Ended Response"]
    rows = [top, below]
    stamp = "%m/%d/%Y %I:%M:%S %p"
    for i, p in enumerate(people):
        start, end = (p["start"].strftime(stamp), p["end"].strftime(stamp)) if dates_as_text else (p["start"],
                                                                                                   p["end"])
        channels = [(p["other"] if channel.startswith("Other") else channel) if hit else None
                    for channel, hit in zip(CHANNELS, p["Q5"], strict=True)]
        rows.append([114_032_598_761 + 7919 * i, 451_234_567, start, end, f"198.51.100.{p['seconds'] % 250}", None,
                     None, None, None, p["Q1"], CSAT_LABELS.get(p["Q2"]), "Yes" if p["Q3"] == 1 else "No",
                     *[RATING_LABELS.get(v) for v in p["Q4"]], *channels, p["Q6"]])
    return rows


def write_monkey_csv(people, path: Path):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[_text(v) for v in row] for row in monkey_rows(people)])
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def write_monkey_xlsx(people, path: Path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet"
    for row in monkey_rows(people, dates_as_text=False):
        sheet.append(row)
    for cell in sheet["C"][2:] + sheet["D"][2:]:
        cell.number_format = "mm/dd/yyyy hh:mm:ss AM/PM"
    book.properties.created = book.properties.modified = datetime(2024, 3, 9)
    book.save(path)


# SPSS "Save as CSV": a blank numeric answer written as one space -------------------------------------------------

def write_spss_blank_space(path: Path):
    """530 respondents: 500 answered q (53 of them 5, a share of 0.106) and 30 blanks written as ' '."""
    rng = np.random.default_rng(5)
    q = np.array([5] * 53 + [4] * 160 + [3] * 150 + [2] * 87 + [1] * 50 + [0] * 30)  # 0 marks the blanks
    q = q[rng.permutation(q.size)]
    lines = ["id,region,q,spend"]
    for i, value in enumerate(q):
        spend = " " if i % 50 == 3 else f"{rng.uniform(5, 80):.2f}"
        lines.append(f"{i + 1},{'North' if i % 3 else 'South'},{value if value else ' '},{spend}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def main():
    people = respondents()
    write_qualtrics(people, HERE / "qualtrics.csv")
    write_qualtrics(people, HERE / "qualtrics_choice_text.csv", choice_text=True)
    write_qualtrics(people, HERE / "qualtrics.tsv", encoding="utf-16", delimiter="\t")
    write_qualtrics_legacy(people, HERE / "qualtrics_legacy.csv")
    write_monkey_csv(people, HERE / "surveymonkey.csv")
    write_monkey_xlsx(people, HERE / "surveymonkey.xlsx")
    write_spss_blank_space(HERE / "spss_blank_space.csv")


if __name__ == "__main__":
    main()
