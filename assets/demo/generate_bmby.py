#!/usr/bin/env python3
"""Deterministic generator for the Bmby stand-in's demo seed (src/sandbox/bmby, BmbySeed::Demo).

Reads   ghl_contacts.json (the GHL demo contacts made by generate.py) so the Bmby data relates to it.
Writes, next to this script:
  bmby_clients.json   list of {"client_id", "project" ("main"|"other"), "client_date",
                      "update_date" (naive Israel local "YYYY-MM-DD HH:MM:SS"), "fields" (Bmby field
                      names -> raw text), "dynamic" (<Dynamic> title -> value)}
  bmby_export.csv     a Bmby "full export" of the main project (UTF-8 with BOM, CRLF, Hebrew
                      headers) = every main-project client except the three DELETED ones below.

Standard library only, fixed random seed: re-running gives identical files:
    python3 assets/demo/generate_bmby.py

Cases (client ids; matched clients use the GHL contact's "Bmby Client ID" custom field value):
  a-identical (22):
    102562  phone 053-5145149, RLM in fname
    180511  phone 0526796433, entity in lname
    152521  phone +972-58-660-4386, email case
    127817  phone 972531863667, RLE/PDF around city
    108796  phone 00972502940598, RLM in fname
    175424  phone +972 (0)50 340 8517, entity in lname
    153028  phone 972 54 172 21 30, email case
    196300  phone 052-759-0868, RLE/PDF around city
    134977  phone 053-3728488, RLM in fname
    103144  phone 0546318422, entity in lname
    107724  phone +972-54-646-7275, email case
    143931  phone 972538989092, RLE/PDF around city
    114838  phone 00972588387374, RLM in fname
    192642  phone +972 (0)50 370 9710, entity in lname
    121996  phone 972 58 909 04 39, email case
    133371  phone 058-191-7131, RLE/PDF around city
    147498  phone 052-8838290, RLM in fname
    147343  phone 0532037692, entity in lname
    195594  phone +972-54-200-3294, email case
    175252  phone 972536554633, RLE/PDF around city
    183528  phone 00972524962841, RLM in fname
    161817  phone +972 (0)52 498 5229, entity in lname
  a-edited (22):
    139549  city Modiin -> תל אביב, budget changed
    193802  lname בן דוד -> ברגר
    100330  new email (matches by phone only)
    182046  remark with &#1493; entity
    149119  city רעננה -> רמת גן
    153728  lname דהן -> ויס, budget changed
    186304  new email (matches by phone only)
    190106  remark with &#1493; entity
    189703  city Tel Aviv -> חיפה
    153007  lname סגל -> קורן
    140602  new email (matches by phone only), budget changed
    181489  remark with &#1493; entity
    179927  city הרצליה -> אשדוד
    145240  lname ביטון -> ברגר
    168582  new email (matches by phone only)
    135158  remark with &#1493; entity, budget changed
    103863  city Herzliya -> ירושלים
    100941  lname בן דוד -> ויס
    180822  new email (matches by phone only)
    139900  remark with &#1493; entity
    147258  city ירושלים -> כפר סבא, budget changed
    177130  lname חדד -> קורן
  b-new (14):
    200101  full name in fname, passport 6217830 (7 digits)
    200102  RLM in fname, Excel phone 547630706
    200103  no email, passport 61183471 (8 digits)
    200104  full name in fname
    200105  Excel phone 530077592, passport 70248281 (8 digits)
    200106  RLM in fname, landline only
    200107  full name in fname, passport 64757164 (8 digits)
    200108  Excel phone 583163930, no email
    200109  passport 47033808 (8 digits)
    200110  full name in fname, RLM in fname
    200111  Excel phone 502418774, passport 44057289 (8 digits)
    200112  
    200113  full name in fname, no email, passport 4955373 (7 digits)
    200114  RLM in fname, Excel phone 500673939
  c-ambiguous (1):
    200201  email of GHL EAP5pMO14yy4AjvxURbc (moshe.bendavid@yahoo.com), phone of GHL LxMvvGZI7wVqzD0C60B0 (+972542848828)
  other-project (2):
    900001  
    900002  
  missing from bmby_export.csv (deleted since a previous full export; all match GHL contacts): 175252, 183528, 161817
"""

import csv
import io
import json
import os
import random
import re

SEED = 20261129
HERE = os.path.dirname(os.path.abspath(__file__))
BMBY_ID_FIELD = "MTqHa14vQNpA5LWoO0oP"  # GHL custom field "Bmby Client ID"
BUDGET_FIELD = "gCsdUjzkmVLSBXfhZ9gU"
ROOMS_FIELD = "xLMpVnrb0Tr1LIRrvZyK"
CITY_PREF_FIELD = "beYHIxutDszzQpY7Ttkp"
N_IDENTICAL = 22
N_EDITED = 22
N_NEW = 14
RLM, LRM, RLE, PDF = "\u200f", "\u200e", "\u202b", "\u202c"

rng = random.Random(SEED)
HEB = re.compile("[\u0590-\u05ff]")

# Timestamps around the 2026 Israel DST switches: 2026-03-27 02:00 -> 03:00 (02:xx does not
# exist) and 2026-10-25 02:00 -> 01:00 (01:xx happens twice).
DST_STAMPS = [
    "2026-03-27 02:30:00",
    "2026-10-25 01:30:00",
    "2026-03-27 01:59:59",
    "2026-10-25 01:59:59",
    "2026-03-27 03:00:00",
    "2026-10-25 02:00:00",
]
CITIES = ["תל אביב", "חיפה", "ירושלים", "באר שבע", "רמת גן", "הרצליה", "אשדוד", "כפר סבא"]
NEW_LNAMES = ["שטרן", "ברגר", "אלמוג", "קורן", "דהן", "ויס"]
AGENTS = ["יעל מכירות", "רון שיווק", "אורית נדל\"ן"]
STATUSES = ["חדש", "בטיפול", "פגישה נקבעה", "לקוח חם"]


def load_ghl():
    with open(os.path.join(HERE, "ghl_contacts.json"), encoding="utf-8") as f:
        return json.load(f)


def cf(contact, field_id):
    for f in contact.get("customFields", []):
        if f["id"] == field_id:
            return f["value"]
    return None


def nat(e164):
    """+972501234567 -> 0501234567"""
    return "0" + e164[4:]


def phone_variant(e164, k):
    n = nat(e164)  # 05XYYYYYYY
    sub = e164[4:]  # 5XYYYYYYY
    return [
        n[:3] + "-" + n[3:],
        n,
        "+972-" + sub[:2] + "-" + sub[2:5] + "-" + sub[5:],
        "972" + sub,
        "00972" + sub,
        "+972 (0)" + sub[:2] + " " + sub[2:5] + " " + sub[5:],
        "972 " + sub[:2] + " " + sub[2:5] + " " + sub[5:7] + " " + sub[7:],
        n[:3] + "-" + n[3:6] + "-" + n[6:],
    ][k % 8]


def entity_first_letter(s):
    """'כהן' -> '&#1499;הן' (an HTML numeric entity, as Bmby sends them)."""
    return "&#%d;%s" % (ord(s[0]), s[1:]) if s else s


def id_check_ok(digits9):
    total = 0
    for i, ch in enumerate(digits9):
        p = int(ch) * (1 if i % 2 == 0 else 2)
        total += p // 10 + p % 10
    return total % 10 == 0


def teudat_zehut(body8):
    for d in range(10):
        if id_check_ok(body8 + str(d)):
            return body8 + str(d)
    raise AssertionError


def stamp(month_lo, month_hi, year=2026):
    m = rng.randint(month_lo, month_hi)
    return "%04d-%02d-%02d %02d:%02d:%02d" % (
        year, m, rng.randint(1, 28), rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59))


def edited_stamp(i):
    # After the GHL contacts' dateUpdated (2026-11-29 11:55Z = 13:55 Israel time).
    return "2026-11-29 %02d:%02d:%02d" % (14 + i % 6, (7 * i) % 60, (13 * i) % 60)


def media(c):
    url = (c.get("attributionSource") or {}).get("url", "")
    return "יד2" if "yad2" in url else ("אתר הבית" if url else "הפניה")


def base_fields(c):
    f = {
        "fname": c.get("firstName", ""),
        "lname": c.get("lastName", ""),
        "email": c.get("email", ""),
        "phone_mobile": nat(c["phone"]),
        "city": c.get("city", ""),
        "address": c.get("address1", ""),
        "company_name": c.get("companyName", ""),
        "birth_day": c.get("dateOfBirth", ""),
        "media_title": media(c),
        "user_name": AGENTS[rng.randrange(len(AGENTS))],
        "status": STATUSES[rng.randrange(len(STATUSES))],
    }
    return {k: v for k, v in f.items() if v}


def dynamic_of(c):
    d = {}
    b, r, p = cf(c, BUDGET_FIELD), cf(c, ROOMS_FIELD), cf(c, CITY_PREF_FIELD)
    if b is not None:
        d["תקציב"] = str(b)
    if r is not None:
        d["מספר חדרים"] = str(r)
    if p:
        d["עיר מועדפת"] = p
    return d


def main():
    ghl = load_ghl()
    emails = {c["email"].lower() for c in ghl if c.get("email")}
    phones = {c["phone"] for c in ghl if c.get("phone")}
    cands = [
        c for c in ghl
        if cf(c, BMBY_ID_FIELD) and c.get("email") and c.get("phone", "").startswith("+9725")
        and len(c["phone"]) == 13 and HEB.search(c.get("firstName", "")) and c.get("lastName")
        and HEB.search(c.get("lastName", "")) and len(c["firstName"]) + len(c["lastName"]) < 24
        and c.get("city")
    ]
    cands.sort(key=lambda c: cf(c, BMBY_ID_FIELD))
    # Keep one contact per email/phone so every match is unambiguous.
    seen, uniq = set(), []
    for c in cands:
        keys = {c["email"].lower(), c["phone"]}
        if keys & seen:
            continue
        seen |= keys
        uniq.append(c)
    picked = rng.sample(uniq, N_IDENTICAL + N_EDITED + 2)
    identical, edited, (amb_a, amb_b) = (
        picked[:N_IDENTICAL], picked[N_IDENTICAL:N_IDENTICAL + N_EDITED], picked[-2:])

    rows, cases = [], {}

    def add(case, cid, fields, dynamic, client_date, update_date, project="main", note=""):
        update_date = max(update_date, client_date)
        rows.append({
            "client_id": str(cid), "project": project, "client_date": client_date,
            "update_date": update_date, "fields": fields, "dynamic": dynamic,
        })
        cases.setdefault(case, []).append((str(cid), note))

    # (a1) identical after normalization
    for i, c in enumerate(identical):
        f = base_fields(c)
        f["phone_mobile"] = phone_variant(c["phone"], i)
        noise = ["phone " + f["phone_mobile"]]
        if i % 4 == 0:
            f["fname"] = f["fname"] + RLM
            noise.append("RLM in fname")
        elif i % 4 == 1:
            f["lname"] = entity_first_letter(f["lname"])
            noise.append("entity in lname")
        elif i % 4 == 2:
            local, dom = f["email"].split("@")
            f["email"] = local[:1].upper() + local[1:] + "@" + dom.upper()
            noise.append("email case")
        else:
            f["city"] = RLE + f["city"] + PDF
            noise.append("RLE/PDF around city")
        cd = DST_STAMPS[i % len(DST_STAMPS)] if i < 6 else stamp(1, 2)
        ud = DST_STAMPS[(i + 3) % len(DST_STAMPS)] if 6 <= i < 10 else stamp(10, 11).replace(
            "-11-2", "-11-1")
        add("a-identical", cf(c, BMBY_ID_FIELD), f, dynamic_of(c), cd, ud, note=", ".join(noise))

    # (a2) edited in Bmby after the GHL contact's last update
    for i, c in enumerate(edited):
        f = base_fields(c)
        kind = ["city", "lname", "email", "remark"][i % 4]
        if kind == "city":
            f["city"] = [x for x in CITIES if x != c.get("city")][i % 7]
            note = "city %s -> %s" % (c.get("city"), f["city"])
        elif kind == "lname":
            f["lname"] = NEW_LNAMES[i % len(NEW_LNAMES)]
            note = "lname %s -> %s" % (c.get("lastName"), f["lname"])
        elif kind == "email":
            local, dom = c["email"].split("@")
            f["email"] = local.split(".")[0] + ".new%d@gmail.com" % i
            note = "new email (matches by phone only)"
        else:
            f["remark"] = "לקוח ביקש לחזור אליו אחרי החגים &#1493;לשלוח הצעה\nתקציב גמיש"
            note = "remark with &#1493; entity"
        d = dynamic_of(c)
        if i % 5 == 0:
            d["תקציב"] = str(int(d.get("תקציב", "2000000")) + 150000)
            note += ", budget changed"
        add("a-edited", cf(c, BMBY_ID_FIELD), f, d, stamp(2, 10), edited_stamp(i), note=note)

    # (b) new clients, not in GHL
    first = ["אורי", "שני", "גלעד", "הדס", "עומר", "ליאת", "ניר", "רותם", "איתי", "מורן", "טל",
             "ענבל", "אסף", "קרן"]
    last = ["אלון", "בר", "גבאי", "דוד", "הלוי", "וקנין", "זכאי", "חזן", "טל", "יונה", "כץ",
            "לנדאו", "מלכה", "נחום"]
    next_id = 200101
    for i in range(N_NEW):
        while True:
            sub = "5%d%07d" % (rng.choice([0, 2, 3, 4, 8]), rng.randrange(10 ** 7))
            if "+972" + sub not in phones:
                break
        f = {"status": "חדש", "media_title": ["פייסבוק", "יד2", "אתר הבית", "שלט"][i % 4],
             "user_name": AGENTS[i % 3], "city": CITIES[i % len(CITIES)]}
        notes = []
        if i % 3 == 0:
            f["fname"] = first[i] + " " + last[i]  # full name in fname, lname empty
            notes.append("full name in fname")
        else:
            f["fname"], f["lname"] = first[i], last[i]
        if i % 4 == 1:
            f["fname"] = RLM + f["fname"]
            notes.append("RLM in fname")
        if i % 3 == 1:
            f["phone_mobile"] = sub  # Excel lost the leading 0
            notes.append("Excel phone " + sub)
        elif i != 5:
            f["phone_mobile"] = "0" + sub[:2] + "-" + sub[2:]
        if i == 5:
            f["phone_home"] = "03-6%06d" % rng.randrange(10 ** 6)
            notes.append("landline only")
        if i % 5 != 2:
            email = "%s.%d@gmail.com" % (["uri", "shani", "gilad", "hadas", "omer", "liat", "nir",
                                          "rotem", "itay", "moran", "tal", "inbal", "asaf",
                                          "keren"][i], 100 + i)
            assert email not in emails
            f["email"] = email
        else:
            notes.append("no email")
        if i % 2 == 0:
            tz = teudat_zehut("%08d" % rng.randrange(10 ** 5, 10 ** 7))
            f["passport"] = tz.lstrip("0")  # 7/8 digits: leading zeros lost
            notes.append("passport %s (%d digits)" % (f["passport"], len(f["passport"])))
        else:
            f["passport"] = teudat_zehut("%08d" % rng.randrange(10 ** 7, 10 ** 8))
        if i % 3 == 2:
            f["remark"] = "מתעניין בדירת 4 חדרים &#1493;חניה, &#1502;עדיף קומה גבוהה"
        d = {"תקציב": str(1500000 + 100000 * i), "מספר חדרים": str(3 + i % 3)}
        if i % 2:
            d["סוג נכס"] = ["דירה", "פנטהאוז", "דירת גן", "קוטג'"][i % 4]
        cd = DST_STAMPS[i % 2] if i < 2 else "2026-11-%02d %02d:%02d:00" % (20 + i % 9, 9 + i % 10, (5 * i) % 60)
        ud = cd if i < 2 else "2026-11-28 %02d:%02d:00" % (9 + i % 10, 3 * i)
        add("b-new", next_id + i, f, d, cd, ud, note=", ".join(notes))

    # (c) ambiguous: email of GHL contact A, phone of GHL contact B
    f = {"fname": amb_a["firstName"], "lname": amb_b["lastName"], "email": amb_a["email"],
         "phone_mobile": nat(amb_b["phone"]), "city": amb_a.get("city", ""),
         "media_title": "יד2", "status": "חדש"}
    add("c-ambiguous", 200201, f, {"תקציב": "3200000"}, "2026-11-29 15:10:00",
        "2026-11-29 15:10:00",
        note="email of GHL %s (%s), phone of GHL %s (%s)" % (
            amb_a["id"], amb_a["email"], amb_b["id"], amb_b["phone"]))

    # other project (the API user has no access): FOREIGN_CLIENT_ID and one more
    add("other-project", 900001, {"fname": "לקוח", "lname": "פרויקט אחר",
                                  "email": "other.project@example.co.il"}, {},
        "2025-06-01 12:00:00", "2025-06-01 12:00:00", project="other")
    add("other-project", 900002, {"fname": "שרון", "lname": "אחר",
                                  "phone_mobile": "054-0000001"}, {},
        "2025-06-02 12:00:00", "2025-06-02 12:00:00", project="other")

    deleted = [cid for cid, _ in cases["a-identical"][-3:]]
    rows.sort(key=lambda r: int(r["client_id"]))
    with open(os.path.join(HERE, "bmby_clients.json"), "w", encoding="utf-8") as fh:
        json.dump(rows, fh, ensure_ascii=False, indent=1)
        fh.write("\n")

    headers = ["מספר לקוח", "שם פרטי", "שם משפחה", "נייד", "טלפון בבית", "אימייל", "עיר", "כתובת",
               "ת.ז.", "מקור הגעה", "סטטוס", "הערות", "תאריך יצירה", "תאריך עדכון"]
    keys = ["fname", "lname", "phone_mobile", "phone_home", "email", "city", "address", "passport",
            "media_title", "status", "remark"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    for r in rows:
        if r["project"] != "main" or r["client_id"] in deleted:
            continue
        w.writerow([r["client_id"]] + [r["fields"].get(k, "") for k in keys]
                   + [r["client_date"], r["update_date"]])
    with open(os.path.join(HERE, "bmby_export.csv"), "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(buf.getvalue())

    lines = []
    for case in ["a-identical", "a-edited", "b-new", "c-ambiguous", "other-project"]:
        lines.append("  %s (%d):" % (case, len(cases[case])))
        for cid, note in cases[case]:
            lines.append("    %s  %s" % (cid, note))
    lines.append("  missing from bmby_export.csv (deleted since a previous full export; all match "
                 "GHL contacts): " + ", ".join(deleted))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
